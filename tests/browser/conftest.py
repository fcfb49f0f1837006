"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Never downloads a browser: Chromium is the system one at /usr/bin/chromium.
"""

import os

# Playwright's sync API runs an event loop in the test thread; Django would
# otherwise refuse the test's own ORM calls as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from django.urls import reverse  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from tests.factories import PASSWORD  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def playwright_driver():
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(chromium, live_server) -> Page:
    context = chromium.new_context(
        base_url=live_server.url, locale="es-ES", timezone_id="America/Bogota"
    )
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    """Sign in through the login form, as a person would."""

    def _log_in(member) -> Page:
        page.goto(reverse("login"))
        page.get_by_label("Usuario").fill(member.user.username)
        page.get_by_label("Contraseña").fill(PASSWORD)
        page.get_by_role("button", name="Ingresar").click()
        expect(page.get_by_role("button", name=member.user.get_full_name())).to_be_visible()
        return page

    return _log_in
