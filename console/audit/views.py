"""The audit trail: who ran, stopped, rescheduled or reconfigured what, and when."""

from django.core.paginator import Paginator
from django.shortcuts import render

from console.common import AUDIT_CAPABILITY, require, role_required
from jobs.models import AuditEntry

PAGE_SIZE = 50


@role_required
def audit(request):
    require(request.user, AUDIT_CAPABILITY)
    entries = AuditEntry.objects.select_related("user", "execution")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page})
