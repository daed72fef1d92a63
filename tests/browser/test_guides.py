"""Public guides (/infos/) in a real Chromium at 360 px: axe-core on every public page and
on every editing page (form errors and preview included), each public page under 60 KB
with what it loads, and a journey with JavaScript off: read, search, print."""

import pytest

from accounts.enums import OrganizationKind, Role
from accounts.services import organization_create
from guides.models import Guide
from tests.browser.test_journeys import PASSWORD, make_user
from tests.guides.helpers import ensure_default_guides

PHONE = {"width": 360, "height": 740}
PAGE_BUDGET = 60 * 1024

pytestmark = pytest.mark.parametrize("viewport", [PHONE], indirect=True)


@pytest.fixture
def guides(transactional_db):
    ensure_default_guides()
    return Guide.objects.published()


def visit(page, url: str, assert_accessible) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    assert_accessible(page)


def weight(browser, url: str) -> int:
    """Bytes a first visit downloads: the page and everything it loads (empty cache)."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    sizes: list[int] = []
    page.on("requestfinished", lambda request: sizes.append(len(request.response().body())))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    context.close()
    return sum(sizes)


def test_public_pages_are_accessible_and_light(
    page, browser, live_server, assert_accessible, guides, viewport
):
    base = live_server.url
    longest = max(guides, key=lambda g: len(g.body))
    urls = [
        f"{base}/infos/",
        f"{base}/infos/numerique/",
        f"{base}/infos/{longest.slug}/",
        f"{base}/infos/?q=cv",
        f"{base}/infos/?q=zzzqqq",
    ]
    for url in urls:
        visit(page, url, assert_accessible)
        total = weight(browser, url)
        assert 0 < total < PAGE_BUDGET, (url, total)
    # Nothing sideways on a small phone.
    page.goto(f"{base}/infos/{longest.slug}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_read_search_and_print_without_javascript(browser, live_server, guides, viewport):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}/infos/")
    page.fill("input[name='q']", "pièce jointe")
    with page.expect_navigation():
        page.locator("form[role='search'] [type='submit']").click()
    assert "q=pi%C3%A8ce+jointe" in page.url or "q=pièce" in page.url
    with page.expect_navigation():
        page.locator(".guide-list a", has_text="pièce jointe").first.click()
    assert page.locator("h1").inner_text() == "Envoyer un e-mail avec une pièce jointe"
    assert page.locator(".guide-body ol li").count() >= 5
    assert page.locator(".guide-meta").inner_text().startswith("Relu le")

    # Print: the guide alone, without menus, search or hints.
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".print-hint").is_visible()
    assert not page.locator(".breadcrumb").is_visible()
    assert page.locator(".guide-body").is_visible()
    after = page.evaluate(
        "getComputedStyle(document.querySelector(\".guide-body a[href^='http']\"), '::after')"
        ".content"
    )
    assert "attr(href)" in after or "http" in after
    context.close()


def test_an_org_admin_writes_previews_publishes_a_guide(
    page, live_server, login, assert_accessible, guides, viewport
):
    org = organization_create(name="Mission Locale Nord", kind=OrganizationKind.MISSION_LOCALE)
    make_user("amina", org, Role.ORG_ADMIN)
    base = live_server.url
    login(page, live_server, "amina", PASSWORD)
    visit(page, f"{base}/infos/gerer/", assert_accessible)
    visit(page, f"{base}/infos/gerer/nouveau/", assert_accessible)

    # Errors: an empty form comes back with a message on each field.
    with page.expect_navigation():
        page.locator("button[name='save']").click()
    assert page.locator(".errorlist").count() >= 3
    assert_accessible(page)

    page.fill("input[name='title']", "Le forum de l'emploi de Roubaix")
    page.select_option("select[name='topic']", "emploi")
    page.fill("textarea[name='summary']", "Un forum chaque printemps, avec des employeurs.")
    page.fill("textarea[name='body']", "## Les étapes\n\n1. Imprimez votre CV.\n2. Venez.\n")
    with page.expect_navigation():
        page.locator("button[name='preview']").click()
    assert page.locator(".preview .guide-body ol li").count() == 2
    assert_accessible(page)

    with page.expect_navigation():
        page.locator("button[name='save']").click()
    assert "/infos/gerer/" in page.url
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("form[action$='/publier/'] [type='submit']").click()
    assert_accessible(page)

    guide = Guide.objects.get(title="Le forum de l'emploi de Roubaix")
    visit(page, f"{base}/infos/gerer/{guide.pk}/historique/", assert_accessible)
    visit(page, f"{base}/infos/gerer/{guide.pk}/historique/1/", assert_accessible)
    visit(page, f"{base}/infos/{guide.slug}/", assert_accessible)
    assert "Mission Locale Nord" in page.locator(".guide-meta").inner_text()
