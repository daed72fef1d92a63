"""Browser tests: Debian's Chromium driven by Playwright's sync API, pages checked by axe-core.

Everything under tests/browser is marked `browser`. When Chromium or axe-core is missing the
browser tests are skipped with the reason shown (`-rs`), unless RELAIS_REQUIRE_BROWSER=1
(CI), in which case they fail.

Fixtures:
    browser            one Chromium per test session (per xdist worker)
    viewport           {"width": 1280, "height": 800}; override it in a module, or
                       `@pytest.mark.parametrize("viewport", [...], indirect=True)`
    page               a fresh browser context and page per test (no shared cookies)
    base_url           the live server's URL (the test gets a transactional database)
    login              login(page, live_server, username, password)
    assert_accessible  assert_accessible(page): axe-core, WCAG 2.0/2.1 A and AA
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an asyncio loop in this thread, so Django would refuse ORM
# calls made by the test itself (SynchronousOnlyOperation). The ORM is used synchronously
# here; the loop only drives the browser.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BROWSER_DIR = Path(__file__).resolve().parent
REPO_ROOT = BROWSER_DIR.parent.parent
AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_PATH = Path(os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    # The machine has no network but the loopback: without these Chromium keeps trying to
    # reach Google's services.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEFAULT_TIMEOUT_MS = 10_000


def _browser_required() -> bool:
    return os.environ.get("RELAIS_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def _missing_prerequisite() -> str | None:
    if not (CHROMIUM_PATH.is_file() and os.access(CHROMIUM_PATH, os.X_OK)):
        return (
            f"Chromium not found at {CHROMIUM_PATH} (set CHROMIUM_PATH or install Debian's "
            "chromium)"
        )
    if not AXE_PATH.is_file():
        return f"axe-core not found at {AXE_PATH} (run `npm ci`)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items, not only this directory's.
    for item in items:
        if BROWSER_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)
    missing = _missing_prerequisite()
    if missing is None or _browser_required():
        return  # when required, the `browser` fixture fails the tests instead
    skip = pytest.mark.skip(reason=f"{missing}: browser tests skipped")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    missing = _missing_prerequisite()
    if missing is not None:
        pytest.fail(f"{missing}, and RELAIS_REQUIRE_BROWSER=1 forbids skipping", pytrace=False)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM_PATH), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    return getattr(request, "param", {"width": 1280, "height": 800})


@pytest.fixture
def page(browser, viewport: dict[str, int]) -> Iterator[Any]:
    # bypass_csp lets assert_accessible inject axe-core as a script tag, which the site's
    # strict Content-Security-Policy would otherwise block.
    context = browser.new_context(
        viewport=viewport, bypass_csp=True, locale="fr-FR", timezone_id="Europe/Paris"
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started only once the test database exists.

    Session fixtures are set up before the function-scoped `transactional_db`, so the
    plain fixture starts its thread while the connection still names the development
    database and does not hand it the in-memory SQLite test connection. Its request
    threads then open connections of their own that are never closed (ResourceWarning,
    an error here).
    """
    return live_server


@pytest.fixture
def base_url(live_server) -> str:
    return live_server.url


def _login(page, live_server, username: str, password: str) -> None:
    """The login form, then the code page for accounts that use two-factor
    authentication (given an authenticator first if their role requires one)."""
    from accounts.models import User
    from tests.two_factor import authenticator, fresh_code, uses_two_factor

    user = User.objects.filter(username=username).first()
    if user is not None and uses_two_factor(user):
        authenticator(user)
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator("form", has=page.locator("input[name='username']"))
    form.locator("input[name='username']").fill(username)
    form.locator("input[name='password']").fill(password)
    with page.expect_navigation():
        form.locator("[type='submit']").click()
    if "/accounts/two-factor/verify/" in page.url:
        page.locator("input[name='code']").fill(fresh_code(user))
        with page.expect_navigation():
            page.locator("main form [type='submit']").first.click()


@pytest.fixture
def login() -> Callable[..., None]:
    """login(page, live_server, username, password): submit the login form."""
    return _login


def _format_violations(violations: list[dict[str, Any]], url: str) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact') or 'n/a'}]: {violation['help']}"
            f" ({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def _assert_accessible(page) -> None:
    page.add_script_tag(path=str(AXE_PATH))
    violations = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({target: n.target, failureSummary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )
    if violations:
        pytest.fail(_format_violations(violations, page.url), pytrace=False)


@pytest.fixture
def assert_accessible() -> Callable[[Any], None]:
    """assert_accessible(page): fail with axe-core's WCAG 2.0/2.1 A/AA violations, if any."""
    return _assert_accessible
