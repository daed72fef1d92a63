"""Main journeys in a real Chromium, with axe-core on every page they cross.

Selectors use form actions and field names rather than visible text, so that wording
changes in the French catalogue do not break the journeys."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.enums import OrganizationKind, Role
from accounts.models import User
from accounts.services import membership_grant, organization_create
from cases import services
from cases.models import YoungPerson
from referrals.models import Referral
from tests.factories import ALL_NO, ensure_default_catalogue

PASSWORD = "correct-horse-battery"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_user(username: str, organization, role: str) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=username.title(),
        last_name="Demo",
        email=f"{username}@example.org",
    )
    membership_grant(user=user, organization=organization, role=role)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def nord(transactional_db):
    ensure_default_catalogue()
    return organization_create(name="Mission Locale Nord", kind=OrganizationKind.MISSION_LOCALE)


def visit(page, url: str, assert_accessible) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    assert_accessible(page)


def test_advisor_daily_work(page, live_server, login, assert_accessible, nord, tmp_path):
    advisor = make_user("camille", nord, Role.ADVISOR)
    make_user("julien", nord, Role.ADVISOR)
    base = live_server.url
    login(page, live_server, "camille", PASSWORD)
    visit(page, f"{base}/young-people/", assert_accessible)

    # Create a file.
    visit(page, f"{base}/young-people/new/", assert_accessible)
    page.fill("input[name='first_name']", "Léa")
    page.fill("input[name='last_name']", "Martin")
    page.fill("input[name='birth_date']", "2006-04-12")
    with page.expect_navigation():
        page.click("main form button[type='submit']")
    young_person = YoungPerson.objects.get(last_name="Martin")
    assert young_person.referent == advisor
    assert re.search(rf"/young-people/{young_person.pk}/$", page.url)
    assert_accessible(page)

    # Same name and birth date again: a warning, nothing created.
    page.goto(f"{base}/young-people/new/")
    page.fill("input[name='first_name']", "LÉA")
    page.fill("input[name='last_name']", "martin")
    page.fill("input[name='birth_date']", "2006-04-12")
    with page.expect_navigation():
        page.click("main form button[type='submit']")
    assert_accessible(page)
    assert page.locator(f"a[href='/young-people/{young_person.pk}/']").count() == 1
    assert YoungPerson.objects.filter(last_name__iexact="martin").count() == 1

    # Diagnostic: nothing yet, so steps are suggested.
    detail = f"{base}/young-people/{young_person.pk}/"
    visit(page, f"{detail}diagnostics/new/", assert_accessible)
    page.fill("textarea[name='notes']", "Premier entretien")
    with page.expect_navigation():
        page.click("main form button[type='submit']")
    assert page.url == detail
    assert_accessible(page)
    suggest = page.locator(f"form[action='/young-people/{young_person.pk}/steps/add/']").first
    with page.expect_navigation():
        suggest.locator("button[type='submit']").click()
    assert young_person.steps.count() >= 3

    step = young_person.steps.get(step_type__code="create_email")
    visit(page, f"{detail}steps/{step.pk}/", assert_accessible)
    page.select_option("select[name='status']", "done")
    page.fill("input[name='evidence']", "lea.martin@example.org créée")
    with page.expect_navigation():
        page.click("main form button[type='submit']")
    step.refresh_from_db()
    assert step.status == "done" and step.completed_at is not None

    # Follow-up with a next appointment, then it shows on the file.
    visit(page, f"{detail}follow-ups/new/", assert_accessible)
    now = timezone.localtime()
    page.fill("input[name='occurred_at']", now.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("select[name='channel']", "in_person")
    page.fill("input[name='duration_minutes']", "45")
    page.fill("textarea[name='notes']", "A créé son adresse e-mail.")
    appointment = now + timedelta(days=7)
    page.fill("input[name='next_appointment']", appointment.strftime("%Y-%m-%dT%H:%M"))
    with page.expect_navigation():
        page.click("main form button[type='submit']")
    assert "A créé son adresse e-mail." in page.content()

    # CV upload, then an application that sends it.
    cv = tmp_path / "CV-Lea-Martin.pdf"
    cv.write_bytes(PDF)
    visit(page, f"{detail}documents/new/", assert_accessible)
    page.select_option("select[name='kind']", "cv")
    page.set_input_files("input[name='file']", str(cv))
    with page.expect_navigation():
        page.click("main form button[type='submit']")
    document = young_person.documents.get()
    assert page.locator(f"a[href$='/documents/{document.pk}/download/']").count() == 1

    visit(page, f"{detail}applications/new/", assert_accessible)
    page.fill("input[name='employer']", "Boulangerie Paul")
    page.fill("input[name='position']", "Vendeuse")
    page.select_option("select[name='source']", "job_board")
    page.select_option("select[name='status']", "sent")
    page.select_option("select[name='cv']", str(document.pk))
    with page.expect_navigation():
        page.click("main form button[type='submit']")
    application = young_person.applications.get()
    assert application.cv == document and application.applied_on == date.today()

    visit(page, detail, assert_accessible)
    visit(page, f"{detail}edit/", assert_accessible)
    visit(page, f"{detail}delegations/", assert_accessible)
    visit(page, f"{detail}access-log/", assert_accessible)
    visit(page, f"{base}/young-people/directory/?q=mar", assert_accessible)
    visit(page, f"{base}/young-people/?overdue=true&ordering=-last_follow_up_at", assert_accessible)
    visit(page, f"{base}/accounts/password/change/", assert_accessible)
    response = page.goto(f"{base}/young-people/999999/")
    assert response.status == 404
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}], indirect=True)
def test_pages_fit_a_360px_phone(page, live_server, login, assert_accessible, nord):
    advisor = make_user("camille", nord, Role.ADVISOR)
    for index in range(3):
        young_person = services.young_person_create(
            actor=advisor,
            organization=nord,
            first_name=f"Prénom{index}",
            last_name="Nom-de-famille-assez-long",
            birth_date=date(2005, 1, 1 + index),
        )
    services.diagnostic_record(actor=advisor, young_person=young_person, answers=ALL_NO)
    login(page, live_server, "camille", PASSWORD)
    for path in ("/young-people/", f"/young-people/{young_person.pk}/", "/young-people/new/"):
        visit(page, f"{live_server.url}{path}", assert_accessible)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"


def test_referral_from_nord_to_emmaus_and_back(page, live_server, login, assert_accessible, nord):
    emmaus = organization_create(name="Emmaüs Connect Lille", kind=OrganizationKind.EMMAUS_CONNECT)
    advisor = make_user("camille", nord, Role.ADVISOR)
    make_user("samir", emmaus, Role.ADVISOR)
    young_person = services.young_person_create(
        actor=advisor,
        organization=nord,
        first_name="Yanis",
        last_name="Bernard",
        birth_date=date(2004, 9, 2),
        phone="0601020304",
    )
    services.diagnostic_record(actor=advisor, young_person=young_person, answers=ALL_NO)
    base = live_server.url

    # Nord: the diagnostic suggests Emmaüs Connect; the form comes prefilled.
    login(page, live_server, "camille", PASSWORD)
    page.goto(f"{base}/young-people/{young_person.pk}/")
    with page.expect_navigation():
        page.click(f"a[href='/referrals/new/{young_person.pk}/?from=diagnostic']")
    assert_accessible(page)
    assert page.locator("select[name='to_organization']").input_value() == str(emmaus.pk)
    assert page.locator("textarea[name='message']").input_value().strip() != ""
    page.check("input[name='shared_sections'][value='identity']")
    page.check("input[name='consent_given']")
    with page.expect_navigation():
        page.click("main form button[type='submit']")
    referral = Referral.objects.get()
    assert referral.status == "sent" and referral.consent_recorded_by == advisor
    assert_accessible(page)
    visit(page, f"{base}/referrals/sent/", assert_accessible)
    page.click("button.link-button[type='submit']")  # log out
    page.wait_for_url(re.compile(r"/accounts/login/"))

    # Emmaüs Connect: inbox, accept, see the shared sections, record the outcome.
    login(page, live_server, "samir", PASSWORD)
    visit(page, f"{base}/referrals/received/", assert_accessible)
    with page.expect_navigation():
        page.click(f"a[href='/referrals/{referral.pk}/']")
    assert_accessible(page)
    with page.expect_navigation():
        page.click(f"form[action='/referrals/{referral.pk}/accept/'] button[type='submit']")
    referral.refresh_from_db()
    assert referral.status == "accepted"
    visit(page, f"{base}/referrals/{referral.pk}/file/", assert_accessible)
    assert "0601020304" in page.content()
    page.goto(f"{base}/referrals/{referral.pk}/")
    page.select_option("select[name='outcome_code']", "equipment_provided")
    page.fill("textarea[name='outcome_note']", "Smartphone reconditionné remis")
    with page.expect_navigation():
        page.click(f"form[action='/referrals/{referral.pk}/complete/'] button[type='submit']")
    referral.refresh_from_db()
    assert referral.status == "completed"
    assert_accessible(page)
    response = page.goto(f"{base}/referrals/{referral.pk}/file/")
    assert response.status == 404
    page.goto(f"{base}/referrals/received/")
    page.click("button.link-button[type='submit']")
    page.wait_for_url(re.compile(r"/accounts/login/"))

    # Nord: the outcome is on the young person's timeline.
    login(page, live_server, "camille", PASSWORD)
    visit(page, f"{base}/young-people/{young_person.pk}/", assert_accessible)
    assert "Smartphone reconditionné remis" in page.content()


def test_organisation_admin_pages(page, live_server, login, assert_accessible, nord):
    make_user("admin.nord", nord, Role.ORG_ADMIN)
    make_user("camille", nord, Role.ADVISOR)
    login(page, live_server, "admin.nord", PASSWORD)
    base = live_server.url
    visit(page, f"{base}/", assert_accessible)
    visit(page, f"{base}/accounts/organizations/{nord.pk}/members/", assert_accessible)
    page.fill("input[name='username']", "nouveau.conseiller")
    page.fill("input[name='first_name']", "Nina")
    page.fill("input[name='last_name']", "Petit")
    page.fill("input[name='email']", "nina@example.org")
    page.select_option("select[name='role']", Role.ADVISOR)
    with page.expect_navigation():
        page.click("main form[method='post']:not([action]) button[type='submit']")
    assert User.objects.filter(username="nouveau.conseiller").exists()
    assert_accessible(page)
    visit(page, f"{base}/young-people/catalogue/", assert_accessible)
    visit(page, f"{base}/referrals/webhooks/", assert_accessible)
    # The security log: the admin's own sign-in is there; a bad filter shows its error.
    log = f"{base}/accounts/organizations/{nord.pk}/security-log/"
    visit(page, log, assert_accessible)
    assert page.locator("main table tbody tr").count() >= 1
    visit(page, f"{log}?start=2026-05-01&end=2026-01-01", assert_accessible)
    assert page.locator("main .errorlist").count() == 1
