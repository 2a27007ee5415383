"""Account › Time zone: the zone every page shows times in, chosen from the header and
remembered for the user (console.models.UserPreference)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from console.middleware import chosen_timezone, remember_timezone
from console.views.forms import TimeZoneForm


@login_required
def time_zone(request):
    back = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path of this site: the setting must not become an open redirect.
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    form = TimeZoneForm(request.POST or None, initial={"timezone": chosen_timezone(request)})
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["timezone"]
        remember_timezone(request, name)
        messages.success(request, f"Times are now shown in {name or 'your browser’s time zone'}.")
        return redirect(back or "jobs")
    status = 400 if form.errors else 200
    return render(request, "account/time_zone.html", {"form": form, "next": back}, status=status)
