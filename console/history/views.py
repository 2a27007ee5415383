"""Operations › Job History: every execution, newest first, filtered and paginated."""

from django.shortcuts import render

from console.common import role_required
from console.history.forms import HistoryFilterForm
from console.pagination import page_of
from jobs import selectors
from jobs.operations import queued

PAGE_SIZE = 25


@role_required
def history(request):
    form = HistoryFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else {}
    executions = selectors.execution_history(**filters)
    page = page_of(executions, PAGE_SIZE, request)
    waiting = sorted(queued.waiting().values(), key=lambda row: row.created)
    return render(request, "history/list.html", {"form": form, "page": page, "queued": waiting})
