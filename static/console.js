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

  // On a phone each table row is a card whose cells carry their column's name (data-label);
  // the templates name the cells of the busiest tables, this names the rest.
  var labelCells = function () {
    document.querySelectorAll("table.table").forEach(function (table) {
      var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (!cell.hasAttribute("data-label") && names[index] && !cell.classList.contains("actions") && !cell.classList.contains("empty")) {
            cell.setAttribute("data-label", names[index]);
          }
        });
      });
    });
  };
  labelCells();
  document.addEventListener("htmx:afterSettle", labelCells);

  // Screen readers hear a status change of a polled page ("Test-Quick: OK"): a replaced
  // fragment is a new element, which a live region inside it would not announce.
  var statuses = function () {
    var found = {};
    document.querySelectorAll(".live-status").forEach(function (element) {
      var row = element.closest("[data-job]");
      var name = row ? row.getAttribute("data-job") : document.title.split(" · ")[0];
      found[name] = element.textContent.replace(/\s+/g, " ").trim();
    });
    return found;
  };
  var known = statuses();
  document.addEventListener("htmx:afterSettle", function () {
    var now = statuses();
    var changes = Object.keys(now).filter(function (name) {
      return known[name] !== undefined && known[name] !== now[name];
    }).map(function (name) { return name + ": " + now[name]; });
    known = now;
    var announcer = document.getElementById("announcer");
    if (announcer && changes.length) {
      announcer.textContent = changes.join("; ");
    }
  });

  // On a phone the navigation folds away behind the Menu button.
  var menu = document.getElementById("menu-button");
  if (menu) {
    menu.addEventListener("click", function () {
      var open = document.body.classList.toggle("nav-open");
      menu.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // The execution log: show the chosen levels and the lines containing the search text.
  // The filter lives outside the polled log, and is applied again after every refresh.
  var logFilters = document.getElementById("log-filters");
  var filterLog = function () {
    var log = document.getElementById("log-tail");
    if (!logFilters || !log) {
      return;
    }
    var levels = {};
    logFilters.querySelectorAll("input[name=level]").forEach(function (box) {
      levels[box.value] = box.checked;
    });
    var query = logFilters.querySelector("input[name=q]").value.trim().toLowerCase();
    var entries = log.querySelectorAll(".log-entry");
    var shown = 0;
    entries.forEach(function (entry) {
      var visible = levels[entry.getAttribute("data-level")] !== false &&
        (!query || entry.textContent.toLowerCase().indexOf(query) !== -1);
      entry.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    var count = document.getElementById("log-count");
    if (count) {
      count.textContent = shown + " of " + entries.length + " lines shown";
    }
  };
  if (logFilters) {
    logFilters.addEventListener("input", filterLog);
    logFilters.addEventListener("change", filterLog);
    logFilters.addEventListener("submit", function (event) { event.preventDefault(); });
    document.addEventListener("htmx:afterSettle", filterLog);
    filterLog();
  }

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

  // Toasts of runs the user started that ended (they come with the Jobs page's polls): each
  // stays until dismissed or for a minute; with the browser's permission, a notification too.
  var TOAST_SECONDS = 60;
  var showToasts = function () {
    document.querySelectorAll("[data-toast]:not([data-shown])").forEach(function (toast) {
      toast.setAttribute("data-shown", "");
      window.setTimeout(function () { toast.remove(); }, TOAST_SECONDS * 1000);
      if (window.Notification && Notification.permission === "granted" && document.visibilityState !== "visible") {
        new Notification("SFCC Jobs Console", { body: toast.textContent.replace(/\s+/g, " ").trim().replace(/×$/, "") });
      }
    });
  };
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (button) {
      button.closest("[data-toast]").remove();
    }
  });
  showToasts();
  document.addEventListener("htmx:afterSettle", showToasts);
  // Configuration: a code picked from Akeneo's list (or typed) is added to its field's text:
  // `code = ` as a new line of a mapping, `en_US = en-US` for the locales, `, code` to a list.
  var addPicked = function (input) {
    var code = input.value.trim();
    var target = document.getElementById(input.getAttribute("data-add-to"));
    if (!code || !target) { return; }
    var text = target.value.replace(/\s+$/, "");
    var as = input.getAttribute("data-add-as");
    if (as === "code") {
      target.value = text ? text + ", " + code : code;
    } else {
      var line = as === "locale" ? code + " = " + code.replace(/_/g, "-") : code + " = ";
      target.value = text ? text + "\n" + line : line;
    }
    input.value = "";
    target.focus();
    target.setSelectionRange(target.value.length, target.value.length);
  };
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-add-for]");
    if (button) { addPicked(document.getElementById(button.getAttribute("data-add-for"))); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("input[data-add-to]")) {
      event.preventDefault();  // Enter adds the code; it does not submit the configuration
      addPicked(event.target);
    }
  });
})();
