"""A job's schedule, on its Schedule and History tab."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from console.common import TIME_ZONES
from jobs import scheduling

ONCE, RECURRING = "once", "recurring"


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time in the schedule's own time zone (chosen on the same form), so it stays
    naive: the default field would read it in the browser's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    formats = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        for fmt in self.formats:
            try:
                return datetime.strptime(str(value).strip(), fmt)
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class ScheduleForm(forms.Form):
    enabled = forms.BooleanField(required=False, initial=True)
    trigger = forms.ChoiceField(
        choices=[(ONCE, "Once"), (RECURRING, "Recurring")], widget=forms.RadioSelect, initial=RECURRING
    )
    run_at = WallClockDateTimeField(label="Date and time", required=False)
    recurrence = forms.ChoiceField(
        choices=[(scheduling.INTERVAL, "Every"), (scheduling.WEEKLY, "At a time of day on")],
        widget=forms.RadioSelect,
        initial=scheduling.WEEKLY,
        required=False,
    )
    every = forms.IntegerField(min_value=1, max_value=10_000, required=False, initial=1)
    period = forms.ChoiceField(choices=[(p, p) for p in scheduling.PERIODS], initial="days", required=False)
    at = forms.TimeField(
        label="Time of day",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        initial=time(2, 0),
    )
    weekdays = forms.TypedMultipleChoiceField(
        choices=[(n, name[:3]) for n, name in enumerate(scheduling.WEEKDAY_NAMES)],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=list(scheduling.ALL_WEEKDAYS),
    )
    timezone = forms.ChoiceField(label="Time zone", choices=[(z, z) for z in TIME_ZONES])
    start_date = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end_date = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    @classmethod
    def initial_for(cls, schedule: scheduling.Schedule | None) -> dict:
        if schedule is None:
            return {"timezone": timezone.get_current_timezone_name()}
        return {
            "enabled": schedule.enabled,
            "trigger": ONCE if schedule.kind == scheduling.ONCE else RECURRING,
            "run_at": schedule.run_at,
            "recurrence": schedule.kind if schedule.kind != scheduling.ONCE else scheduling.WEEKLY,
            "every": schedule.every or 1,
            "period": schedule.period,
            "at": schedule.at or time(2, 0),
            "weekdays": list(schedule.weekdays or scheduling.ALL_WEEKDAYS),
            "timezone": schedule.timezone,
            "start_date": schedule.start_date,
            "end_date": schedule.end_date,
        }

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data["trigger"] == ONCE:
            self._clean_once(data)
        elif data.get("recurrence") == scheduling.INTERVAL:
            self._require(data, "every", "Enter how often it runs.")
            self._require(data, "period", "Choose minutes, hours or days.")
        elif data.get("recurrence") == scheduling.WEEKLY:
            self._require(data, "at", "Enter the time of day.")
            self._require(data, "weekdays", "Choose at least one weekday.")
        else:
            self.add_error("recurrence", "Choose how it recurs.")
        start, end = data.get("start_date"), data.get("end_date")
        if data["trigger"] == RECURRING and start and end and end < start:
            self.add_error("end_date", "The end date is before the start date.")
        return data

    def _clean_once(self, data) -> None:
        if not self._require(data, "run_at", "Enter the date and time to run it."):
            return
        when = data["run_at"].replace(tzinfo=ZoneInfo(data["timezone"]))
        if when <= timezone.now():
            self.add_error("run_at", "Choose a date and time in the future.")

    def _require(self, data, name: str, message: str) -> bool:
        if data.get(name) in (None, "", []):
            self.add_error(name, message)
            return False
        return True

    def schedule(self) -> scheduling.Schedule:
        data = self.cleaned_data
        common = {"enabled": data["enabled"], "timezone": data["timezone"]}
        if data["trigger"] == ONCE:
            return scheduling.Schedule(kind=scheduling.ONCE, run_at=data["run_at"], **common)
        dates = {"start_date": data["start_date"], "end_date": data["end_date"]}
        if data["recurrence"] == scheduling.INTERVAL:
            return scheduling.Schedule(
                kind=scheduling.INTERVAL, every=data["every"], period=data["period"], **dates, **common
            )
        return scheduling.Schedule(
            kind=scheduling.WEEKLY, at=data["at"], weekdays=tuple(sorted(data["weekdays"])), **dates, **common
        )


# Job History's quick ranges: "today" starts at midnight in the user's time zone.
