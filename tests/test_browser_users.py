"""Administration › Users and Roles in a real browser (Debian's Chromium via Playwright): an
Administrator reaches it from the navigation, creates a user whose generated password is shown
once, and demotes them; the pages fit a laptop screen without horizontal scrolling."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from jobs import accounts, roles
from tests.test_browser import chromium, log_in, page, screenshot  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser]

# The phone layout (390 px) is the console frame's: these pages add no width of their own.
WIDTHS = (1440, 1280)


def overflow(browser_page) -> int:
    return browser_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_it_manages_a_user_from_the_navigation(page, users, transactional_db):  # noqa: F811
    log_in(page, "admin")
    page.get_by_role("link", name="Users and Roles").click()
    expect(page.locator("h1")).to_have_text("Users and Roles")
    expect(page.locator("#users")).to_contain_text("merchandiser")
    page.fill("#id_username", "newcomer")
    page.select_option("#id_role", roles.SUPPORT)
    page.get_by_role("button", name="Create user").click()
    shown = page.locator("#new-password pre").inner_text().strip()
    assert User.objects.get(username="newcomer").check_password(shown)
    screenshot(page, "users")
    page.goto("/users/")
    expect(page.locator("#new-password")).to_have_count(0)  # shown once
    page.get_by_role("link", name="newcomer").click()
    page.select_option("#id_role", roles.MERCHANDISER)
    page.get_by_role("button", name="Save role").click()
    expect(page.locator(".messages")).to_contain_text("role Support → Merchandiser")
    assert accounts.role_of(User.objects.get(username="newcomer")) == roles.MERCHANDISER
    screenshot(page, "user")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 860})
        for path in ("/jobs/", "/users/", re.sub(r"^https?://[^/]+", "", page.url)):
            page.goto(path)
            assert overflow(page) <= 0, (width, path)
