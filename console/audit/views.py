"""The audit trail: who ran, stopped, rescheduled or reconfigured what, and when."""

from django.shortcuts import render

from console.common import AUDIT_CAPABILITY, require, role_required
from console.pagination import page_of
from jobs.models import AuditEntry

PAGE_SIZE = 50


@role_required
def audit(request):
    require(request.user, AUDIT_CAPABILITY)
    entries = AuditEntry.objects.select_related("user", "execution")
    page = page_of(entries, PAGE_SIZE, request)
    return render(request, "audit/list.html", {"page": page})
