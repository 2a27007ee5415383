"""Account › API tokens: personal tokens for the REST API, which exists to run and stop jobs
from other systems. A token acts with its owner's role and is shown once, when created; only
a role that may run jobs is offered one (Support would hold a key that opens nothing it needs).
Anyone may still list and revoke the tokens they hold."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from console.operations_forms import TokenForm
from console.views.common import require
from jobs.operations.models import ApiToken


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST":
        require(request.user, "run")
    if request.method == "POST" and form.is_valid():
        row, created = ApiToken.issue(user=request.user, name=form.cleaned_data["name"])
        # Rendered here, not after a redirect: the token must not pass through the session.
        form = TokenForm()
    context = {"form": form, "tokens": request.user.api_tokens.all(), "created": created}
    # The header hides the link from roles that cannot run jobs; the page says why.
    response = render(request, "account/tokens.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def token_revoke(request, token_id):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.delete()
    messages.success(request, f"Token {token.name} revoked: it no longer opens the API.")
    return redirect("tokens")
