// The console's only page script (no build step). Loaded on every page with `defer`.
(function () {
  "use strict";

  // Times are shown in the browser's time zone: the server reads it from the `tz` cookie.
  // Reload once when it changes, and only if the cookie stuck (no reload loop when blocked).
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // IANA names ("Europe/Paris", "America/Port-au-Prince") are cookie-safe: stored as they are,
  // since the server reads the cookie without URL-decoding it.
  var readTz = function () {
    var match = document.cookie.match(/(?:^|;\s*)tz=([^;]*)/);
    return match ? match[1] : "";
  };
  if (zone && /^[A-Za-z0-9_+\-\/]+$/.test(zone) && readTz() !== zone) {
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
    if (readTz() === zone && !document.body.classList.contains("login-page")) {
      window.location.reload();
    }
  }

  // Polling (hx-trigger="every 2s" on [data-poll]) pauses while the tab is hidden.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (document.visibilityState !== "visible" && event.detail.elt.hasAttribute("data-poll")) {
      event.preventDefault();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // One click, one request: a double click would only be refused by the job lock.
    var button = form.querySelector("button[data-once]");
    if (button) {
      window.setTimeout(function () { button.disabled = true; }, 0);
    }
  });

  // The schedule form shows the fields of the chosen trigger (Once or Recurring) only.
  var scheduleForm = document.getElementById("schedule-form");
  if (scheduleForm) {
    var sync = function () {
      var checked = scheduleForm.querySelector("input[name=trigger]:checked");
      var trigger = checked ? checked.value : "";
      scheduleForm.querySelectorAll("[data-show-when]").forEach(function (element) {
        element.hidden = element.getAttribute("data-show-when") !== "trigger=" + trigger;
      });
    };
    scheduleForm.addEventListener("change", sync);
    sync();
  }
})();
