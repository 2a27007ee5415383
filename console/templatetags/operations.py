"""The hanging flag: `{% hanging_badge execution %}` shows a badge on an execution running
longer than its job's threshold. The thresholds are read once per request."""

from django import template
from django.utils.html import format_html

from jobs.operations import alerts

register = template.Library()


@register.simple_tag(takes_context=True)
def hanging_badge(context, execution):
    if execution is None or not execution.is_active:
        return ""
    request = context.get("request")
    rules = getattr(request, "_alert_rules", None)
    if rules is None:
        rules = alerts.rules_for()
        if request is not None:
            request._alert_rules = rules
    limit = alerts.hanging_since(execution, rules.get(execution.job_id))
    if limit is None:
        return ""
    minutes = int(limit.total_seconds() // 60)
    return format_html(
        '<span class="badge badge-warn" title="Running longer than its hanging threshold of {} min">'
        '<span class="badge-icon" aria-hidden="true">⚠</span>Hanging</span>',
        minutes,
    )
