"""The Job History filters: status, trigger, job, who started it, and when."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from jobs import registry
from jobs.models import Trigger
from jobs.selectors import STATUS_FILTERS

QUICK_RANGES = {"today": "Today", "24h": "Last 24 hours", "7d": "Last 7 days"}


def range_start(name: str, now: datetime) -> datetime | None:
    if name == "today":
        return datetime.combine(timezone.localtime(now).date(), time(), timezone.get_current_timezone())
    if name == "24h":
        return now - timedelta(hours=24)
    if name == "7d":
        return now - timedelta(days=7)
    return None


class HistoryFilterForm(forms.Form):
    job = forms.ChoiceField(required=False)
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status")] + [(s, s) for s in STATUS_FILTERS]
    )
    trigger = forms.ChoiceField(required=False, choices=[("", "Any trigger"), *Trigger.choices])
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.order_by("username"),
        to_field_name="username",
        required=False,
        empty_label="Anyone",
    )
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Job, message, user or #id"}),
    )
    range = forms.ChoiceField(required=False, choices=[("", "Any time"), *QUICK_RANGES.items()])
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job"].choices = [("", "All jobs")] + [(job.id, job.id) for job in registry.all_jobs()]

    def filters(self) -> dict:
        """Keyword arguments for selectors.execution_history; dates in the user's time zone,
        the "to" day included."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        since = data.get("since")
        until = data.get("until")
        start = datetime.combine(since, time(), zone) if since else None
        if quick := range_start(data.get("range") or "", timezone.now()):
            start = max(start, quick) if start else quick
        return {
            "text": data.get("q") or "",
            "job_id": data.get("job") or None,
            "status": data.get("status") or None,
            "trigger": data.get("trigger") or None,
            "user": data.get("user"),
            "since": start,
            "until": datetime.combine(until + timedelta(days=1), time(), zone) if until else None,
        }
