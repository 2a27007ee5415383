"""Personal API tokens expire (a default and a longest lifetime from the settings), and stop
working when their owner's password changes or the account is deactivated; the tokens page
shows when each expires and was last used."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs.operations.models import ApiToken

pytestmark = pytest.mark.django_db


def get_jobs(client, token):
    return client.get("/api/jobs", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_token_lasts_the_default_lifetime_then_is_refused(client, users, settings):
    settings.API_TOKEN_DEFAULT_DAYS = 7
    row, token = ApiToken.issue(user=users["support"], name="ci")
    assert timedelta(days=6, hours=23) < row.expires - timezone.now() <= timedelta(days=7)
    assert get_jobs(client, token).status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(expires=timezone.now() - timedelta(seconds=1))
    refused = get_jobs(client, token)
    assert refused.status_code == 401 and refused.json()["fault"]["type"] == "InvalidAccessTokenException"


def test_the_page_offers_the_default_and_refuses_more_than_the_longest(client, users, settings):
    settings.API_TOKEN_DEFAULT_DAYS, settings.API_TOKEN_MAX_DAYS = 10, 20
    client.force_login(users["support"])
    assert b'value="10"' in client.get(reverse("tokens")).content
    too_long = client.post(reverse("tokens"), {"name": "ci", "days": 21})
    assert too_long.status_code == 400 and "days" in too_long.context["form"].errors
    assert not ApiToken.objects.exists()
    assert client.post(reverse("tokens"), {"name": "ci", "days": 20}).status_code == 200
    assert timedelta(days=19) < ApiToken.objects.get().expires - timezone.now() <= timedelta(days=20)


def test_a_password_change_revokes_the_owners_tokens(client, users):
    _, token = ApiToken.issue(user=users["merchandiser"], name="ci")
    _, other = ApiToken.issue(user=users["support"], name="ci")
    user = users["merchandiser"]
    user.set_password("a-new-password-456")
    user.save()
    assert get_jobs(client, token).status_code == 401
    assert get_jobs(client, other).status_code == 200
    # A token issued after the change works.
    _, fresh = ApiToken.issue(user=user, name="ci again")
    assert get_jobs(client, fresh).status_code == 200


def test_a_password_changed_without_save_signals_still_revokes(client, users):
    """However the password is changed (a queryset update, a script), the fingerprint differs."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    _, token = ApiToken.issue(user=users["support"], name="ci")
    User.objects.filter(pk=users["support"].pk).update(password=make_password("changed-elsewhere-789"))
    assert get_jobs(client, token).status_code == 401


def test_deactivating_an_account_deletes_its_tokens(client, users):
    _, token = ApiToken.issue(user=users["support"], name="ci")
    user = users["support"]
    user.is_active = False
    user.save()
    assert not ApiToken.objects.filter(user=user).exists()
    user.is_active = True
    user.save()
    assert get_jobs(client, token).status_code == 401


def test_the_tokens_page_shows_expiry_and_last_use(client, users):
    row, token = ApiToken.issue(user=users["support"], name="nightly")
    client.force_login(users["support"])
    assert b"never" in client.get(reverse("tokens")).content
    get_jobs(client, token)
    row.refresh_from_db()
    page = client.get(reverse("tokens")).content.decode()
    assert row.last_used is not None and "never" not in page
    assert timezone.localtime(row.expires).strftime("%-d %b %Y") in page
    ApiToken.objects.filter(pk=row.pk).update(expires=timezone.now() - timedelta(minutes=1))
    assert "expired" in client.get(reverse("tokens")).content.decode()
