"""Forms of the operations pages: chains, a job's alerts, report and retention settings."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from jobs import registry
from jobs.operations.models import split_addresses


class AddressesField(forms.CharField):
    """E-mail addresses separated by commas (or new lines); each one checked."""

    widget = forms.TextInput(attrs={"placeholder": "ops@example.com, pim-team@example.com", "size": 60})

    def clean(self, value):
        value = super().clean(value)
        addresses = split_addresses(value or "")
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(f"{address!r} is not an e-mail address.") from None
        return ", ".join(addresses)


class ChainForm(forms.Form):
    target = forms.ChoiceField(label="Then start")

    def __init__(self, *args, source: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(job.id, job.id) for job in registry.all_jobs() if job.id != source]


class AlertForm(forms.Form):
    recipients = AddressesField(label="Failure and hanging e-mails to", required=False, max_length=2000)
    hanging_minutes = forms.IntegerField(
        label="Hanging after (minutes)", required=False, min_value=1, max_value=7 * 24 * 60
    )


class OperationsSettingsForm(forms.Form):
    report_recipients = AddressesField(label="Job Status Report e-mailed to", required=False, max_length=2000)
    retention_days = forms.IntegerField(label="Keep executions for (days)", min_value=1, max_value=3650)
    retention_keep = forms.IntegerField(label="And at least this many per job", min_value=0, max_value=10_000)
