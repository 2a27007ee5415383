"""Users and roles: managed in the console by Administrators, who cannot grant what they do
not hold nor lock the console out; the Django admin is for superusers; every change of a user,
a role, a flag or a password is in the console's audit trail."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from jobs import accounts, roles
from jobs.models import AuditEntry

pytestmark = pytest.mark.django_db


def audited() -> list[str]:
    return list(AuditEntry.objects.filter(action=AuditEntry.Action.USERS).values_list("message", flat=True))


@pytest.fixture
def admin_client(client, users):
    client.force_login(users["admin"])
    return client


def test_it_refuses_an_administrator_making_themselves_superuser_in_the_console(admin_client, users):
    admin = users["admin"]
    response = admin_client.post(
        reverse("user", args=[admin.pk]),
        {"role": roles.ADMINISTRATOR, "is_superuser": "on", "is_staff": "on"},
    )
    admin.refresh_from_db()
    assert not admin.is_superuser and not admin.is_staff
    assert response.status_code == 302  # the flags it may not grant are not even read
    with pytest.raises(accounts.Refused, match="superuser"):
        accounts.update_user(
            actor=admin, target=admin, role=roles.ADMINISTRATOR, is_staff=False, is_superuser=True
        )
    admin.refresh_from_db()
    assert not admin.is_superuser
    assert not audited()


def test_it_refuses_a_staff_administrator_in_the_django_admin(client, users):
    admin = users["admin"]
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    change = reverse("admin:auth_user_change", args=[admin.pk])
    for url in (reverse("admin:index"), change, "/admin/django_celery_beat/periodictask/add/"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url, url
    response = client.post(
        change, {"username": "admin", "is_superuser": "on", "is_staff": "on", "is_active": "on"}
    )
    admin.refresh_from_db()
    assert not admin.is_superuser


def test_it_audits_a_superusers_change_of_a_user_in_the_django_admin(client, users):
    root = User.objects.create_superuser("root", "root@example.com", "root-pass-123")
    client.force_login(root)
    support = users["support"]
    response = client.post(
        reverse("admin:auth_user_change", args=[support.pk]),
        {
            "username": "support",
            "email": "support@example.com",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [Group.objects.get(name=roles.SUPPORT).pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    support.refresh_from_db()
    assert support.is_superuser
    entry = AuditEntry.objects.get(action=AuditEntry.Action.USERS)
    assert entry.user == root
    assert "Django admin: changed user 'support'" in entry.message
    assert "superuser" in entry.message.lower()


def test_it_audits_every_change_made_in_users_and_roles(admin_client, users):
    admin = users["admin"]
    admin_client.post(
        reverse("users"), {"username": "newbie", "email": "n@example.com", "role": roles.SUPPORT}
    )
    newbie = User.objects.get(username="newbie")
    admin_client.post(reverse("user", args=[newbie.pk]), {"role": roles.MERCHANDISER})
    admin_client.post(reverse("user_active", args=[newbie.pk]), {"active": "0"})
    admin_client.post(reverse("user_active", args=[newbie.pk]), {"active": "1"})
    page = admin_client.post(reverse("user_password", args=[newbie.pk]), {"password": ""})
    messages = audited()
    assert len(messages) == 5, messages
    assert any("Created user 'newbie'" in m and "Support" in m for m in messages)
    assert any("role Support → Merchandiser" in m for m in messages)
    assert any("Deactivated user 'newbie'" in m for m in messages)
    assert any("Reactivated user 'newbie'" in m for m in messages)
    assert any("Reset the password of user 'newbie'" in m for m in messages)
    assert set(AuditEntry.objects.values_list("user", flat=True)) == {admin.pk}
    newbie.refresh_from_db()
    shown = page.context["new_password"]["password"]
    assert newbie.check_password(shown) and shown in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert not any(shown in m for m in messages)


def test_it_creates_a_user_who_signs_in_with_the_role_given(admin_client, client, users):
    response = admin_client.post(
        reverse("users"),
        {"username": "merch2", "role": roles.MERCHANDISER, "password": "a-long-typed-pass-42"},
    )
    assert response.status_code == 200 and "merch2" in response.content.decode()
    user = User.objects.get(username="merch2")
    assert accounts.role_of(user) == roles.MERCHANDISER and user.is_active
    assert "a-long-typed-pass-42" not in response.content.decode()  # a typed password is not echoed
    assert user.check_password("a-long-typed-pass-42")


def test_it_refuses_a_look_alike_of_an_existing_user_name(admin_client, users):
    response = admin_client.post(reverse("users"), {"username": "SUPPORT", "role": roles.SUPPORT})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert not audited()


def test_it_refuses_a_weak_typed_password_naming_the_field(admin_client, users):
    response = admin_client.post(reverse("user_password", args=[users["support"].pk]), {"password": "short"})
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    assert users["support"].check_password("secret-pass-123") and not audited()


@pytest.mark.parametrize("role", ["merchandiser", "support", "nobody"])
def test_it_refuses_users_and_roles_to_other_roles(client, users, role):
    client.force_login(users[role])
    target = users["support"]
    assert client.get(reverse("users")).status_code == 403
    assert client.get(reverse("user", args=[target.pk])).status_code == 403
    posts = [
        (reverse("users"), {"username": "intruder", "role": roles.ADMINISTRATOR}),
        (reverse("user", args=[users[role].pk]), {"role": roles.ADMINISTRATOR}),
        (reverse("user_active", args=[target.pk]), {"active": "0"}),
        (reverse("user_password", args=[target.pk]), {"password": "a-long-typed-pass-42"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert not User.objects.filter(username="intruder").exists()
    assert accounts.role_of(users[role]) != roles.ADMINISTRATOR
    target.refresh_from_db()
    assert target.is_active and target.check_password("secret-pass-123")
    assert not audited()


def test_it_refuses_an_administrator_locking_themselves_out(admin_client, users):
    admin = users["admin"]
    response = admin_client.post(reverse("user_active", args=[admin.pk]), {"active": "0"})
    assert response.status_code == 400
    response = admin_client.post(reverse("user", args=[admin.pk]), {"role": roles.MERCHANDISER})
    assert response.status_code == 400
    assert "your own right to manage users" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active and accounts.role_of(admin) == roles.ADMINISTRATOR
    assert not audited()


def test_it_keeps_the_last_administrator(users):
    """A superuser may demote another Administrator, but not the last one once it has stopped
    being an administrator itself."""
    root = User.objects.create_superuser("root", "root@example.com", "root-pass-123")
    accounts.set_active(actor=root, target=users["admin"], active=False)
    root.is_superuser = False
    root.save()
    root.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    root = User.objects.get(pk=root.pk)
    with pytest.raises(accounts.Refused):
        accounts.update_user(actor=root, target=root, role=roles.SUPPORT, is_staff=False, is_superuser=False)
    assert accounts.administrators().filter(pk=root.pk).exists()


def test_it_refuses_to_grant_a_role_holding_rights_the_actor_lacks(users):
    """An account that may manage users but holds no role's rights grants no role."""
    manager = User.objects.create_user("manager", "m@example.com", "manager-pass-123")
    manager.user_permissions.add(
        Permission.objects.get(content_type__app_label="auth", codename="change_user")
    )
    manager = User.objects.get(pk=manager.pk)
    with pytest.raises(accounts.Refused, match="rights you do not have"):
        accounts.create_user(actor=manager, username="x", email="", role=roles.ADMINISTRATOR)
    with pytest.raises(accounts.Refused, match="rights you do not have"):
        accounts.update_user(
            actor=manager, target=manager, role=roles.MERCHANDISER, is_staff=False, is_superuser=False
        )
    assert not User.objects.filter(username="x").exists() and not audited()


def test_it_leaves_a_superusers_account_to_superusers(admin_client, users):
    root = User.objects.create_superuser("root", "root@example.com", "root-pass-123")
    response = admin_client.post(reverse("user_password", args=[root.pk]), {"password": ""})
    assert response.status_code == 400
    assert admin_client.post(reverse("user_active", args=[root.pk]), {"active": "0"}).status_code == 400
    root.refresh_from_db()
    assert root.is_active and root.check_password("root-pass-123") and not audited()


def test_it_ends_a_deactivated_users_sessions_and_api_tokens(admin_client, users):
    from django.test import Client

    from jobs.operations.models import ApiToken

    merchandiser = users["merchandiser"]
    session = Client()
    session.force_login(merchandiser)
    _, token = ApiToken.issue(user=merchandiser, name="ci")
    assert session.get(reverse("jobs")).status_code == 200
    assert (
        admin_client.post(reverse("user_active", args=[merchandiser.pk]), {"active": "0"}).status_code == 302
    )
    assert session.get(reverse("jobs")).status_code == 302  # to the login page
    assert Client().get(reverse("api_jobs"), HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
