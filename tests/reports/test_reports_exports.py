"""CSV exports: the format (BOM, `;`, headers), the rows (the same filters and the same
scope as the pages: another organisation's young people never appear), and the
neutralising of cells a spreadsheet would run as formulas."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from cases import services
from cases.enums import AccessAction, YoungPersonStatus
from referrals import services as referral_services
from referrals.enums import ReferralStatus
from reports.exports import CASELOAD_COLUMNS, REFERRAL_COLUMNS, neutralise
from tests.factories import (
    FollowUpFactory,
    OrganizationFactory,
    StepFactory,
    YoungPersonFactory,
    default_step_type,
    member,
)
from tests.reports.report_helpers import TRICKY_FIRST, TRICKY_LAST, make_org, read_csv

pytestmark = pytest.mark.django_db


def _get(client, user, name, query="", **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs) + query)


def _names(rows: list[list[str]]) -> set[str]:
    return {row[0] for row in rows[1:]}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Lille", "Lille"),
        ("", ""),
        (None, ""),
        (3, 3),
        (date(2005, 4, 3), "03/04/2005"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_caseload_export_format_and_scope(client):
    world = make_org()
    mine = YoungPersonFactory(
        organization=world.organization, referent=world.referent, last_name="Mienne"
    )
    StepFactory(young_person=mine, step_type=default_step_type("create_email"), done=True)
    StepFactory(young_person=mine, step_type=default_step_type("write_cv"), overdue=True)
    FollowUpFactory(young_person=mine)
    YoungPersonFactory(
        organization=world.organization, referent=world.colleague, last_name="Collegue"
    )
    YoungPersonFactory(organization=world.other, referent=world.other_advisor, last_name="Ailleurs")

    response = _get(client, world.referent, "reports:export_caseload")
    raw, rows = read_csv(response)

    assert raw.startswith("\ufeff")
    assert "\r\n" in raw
    assert rows[0] == [str(c.header) for c in CASELOAD_COLUMNS]
    assert _names(rows) == {"Mienne", TRICKY_LAST}
    by_name = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_name[TRICKY_LAST][_("First name")] == TRICKY_FIRST
    assert by_name[TRICKY_LAST][_("Email")] == "zoe@example.org"
    assert by_name["Mienne"][_("Steps done")] == "1"
    assert by_name["Mienne"][_("Steps (total)")] == "2"
    assert by_name["Mienne"][_("Overdue steps")] == "1"
    assert by_name["Mienne"][_("Referent")] == world.referent.display_name
    assert 'filename="' in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.csv"')


def test_caseload_export_applies_the_page_filters(client):
    world = make_org()
    YoungPersonFactory(
        organization=world.organization,
        referent=world.referent,
        last_name="Fermé",
        status=YoungPersonStatus.CLOSED,
    )
    _raw, rows = read_csv(_get(client, world.referent, "reports:export_caseload", "?status=closed"))
    assert _names(rows) == {"Fermé"}
    _raw, rows = read_csv(_get(client, world.referent, "reports:export_caseload", "?q=llet"))
    assert _names(rows) == {TRICKY_LAST}


def test_caseload_export_of_the_organisation_is_for_supervisors(client):
    world = make_org()
    YoungPersonFactory(
        organization=world.organization, referent=world.colleague, last_name="Collegue"
    )
    YoungPersonFactory(organization=world.other, referent=world.other_advisor, last_name="Ailleurs")
    query = "?scope=organization"
    _raw, rows = read_csv(_get(client, world.supervisor, "reports:export_caseload", query))
    assert _names(rows) == {"Collegue", TRICKY_LAST}
    # An advisor asking for the organisation gets their own files only, as on the page.
    _raw, rows = read_csv(_get(client, world.colleague, "reports:export_caseload", query))
    assert _names(rows) == {"Collegue"}
    _raw, rows = read_csv(_get(client, world.other_supervisor, "reports:export_caseload", query))
    assert _names(rows) == {"Ailleurs"}


def test_caseload_export_neutralises_formulas(client):
    world = make_org()
    YoungPersonFactory(
        organization=world.organization,
        referent=world.referent,
        last_name='=HYPERLINK("http://evil")',
        first_name="@Bob",
        phone="+33 6 00 00 00 00",
        city="-Lille",
    )
    raw, rows = read_csv(_get(client, world.referent, "reports:export_caseload"))
    row = next(r for r in rows[1:] if "HYPERLINK" in r[0])
    cells = dict(zip(rows[0], row, strict=True))
    assert cells[_("Last name")] == '\'=HYPERLINK("http://evil")'
    assert cells[_("First name")] == "'@Bob"
    assert cells[_("Phone")] == "'+33 6 00 00 00 00"
    assert cells[_("City")] == "'-Lille"
    assert ";=" not in raw and ";@" not in raw and ";+" not in raw


def test_caseload_export_rejects_invalid_filters(client):
    world = make_org()
    client.force_login(world.referent)
    response = client.get(reverse("reports:export_caseload") + "?status=nope")
    assert response.status_code == 400


def test_caseload_export_is_404_without_a_caseload(client):
    partner_org = OrganizationFactory(partner=True)
    client.force_login(member(partner_org, Role.PARTNER))
    assert client.get(reverse("reports:export_caseload")).status_code == 404


def _referral_world():
    world = make_org()
    partner_org = OrganizationFactory(partner=True, name="Formation Plus")
    partner = member(partner_org, Role.PARTNER)
    sent = referral_services.referral_send(
        actor=world.referent,
        young_person=world.young_person,
        to_organization=partner_org,
        reason="training",
        message="Message privé",
        shared_sections=["identity"],
        consent_method="oral",
        consent_given=True,
    )
    referral_services.referral_accept(actor=partner, referral=sent)
    # A referral between two other organisations: never in anyone's export here.
    stranger = YoungPersonFactory(organization=world.other, referent=world.other_advisor)
    referral_services.referral_send(
        actor=world.other_advisor,
        young_person=stranger,
        to_organization=OrganizationFactory(partner=True),
        reason="training",
        message="",
        shared_sections=["identity"],
        consent_method="oral",
        consent_given=True,
    )
    # A referral received by the referent's organisation.
    incoming_yp = YoungPersonFactory(organization=world.other, referent=world.other_advisor)
    incoming = referral_services.referral_send(
        actor=world.other_advisor,
        young_person=incoming_yp,
        to_organization=world.organization,
        reason="social",
        message="",
        shared_sections=["identity"],
        consent_method="oral",
        consent_given=True,
    )
    return world, partner, sent, incoming


def test_referral_exports_are_scoped(client):
    world, partner, sent, incoming = _referral_world()

    _raw, rows = read_csv(_get(client, world.referent, "reports:export_referrals_sent"))
    assert rows[0] == [str(c.header) for c in REFERRAL_COLUMNS]
    assert [r[0] for r in rows[1:]] == [f"R-{sent.pk:06d}"]
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert cells[_("To")] == "Formation Plus"
    assert cells[_("Status")] == str(ReferralStatus.ACCEPTED.label)
    assert "Message privé" not in _raw  # free text stays on the referral page

    _raw, rows = read_csv(_get(client, partner, "reports:export_referrals_received"))
    assert [r[0] for r in rows[1:]] == [f"R-{sent.pk:06d}"]

    _raw, rows = read_csv(_get(client, world.colleague, "reports:export_referrals_received"))
    assert [r[0] for r in rows[1:]] == [f"R-{incoming.pk:06d}"]
    # The colleague holds no file: nothing sent shows.
    _raw, rows = read_csv(_get(client, world.colleague, "reports:export_referrals_sent"))
    assert rows[1:] == []


def test_referral_export_applies_the_inbox_filters(client):
    _world, partner, sent, _incoming = _referral_world()
    _raw, rows = read_csv(
        _get(client, partner, "reports:export_referrals_received", "?status=sent")
    )
    assert rows[1:] == []
    _raw, rows = read_csv(
        _get(client, partner, "reports:export_referrals_received", "?status=accepted")
    )
    assert [r[0] for r in rows[1:]] == [f"R-{sent.pk:06d}"]


def test_access_log_export(client):
    world = make_org()
    services.access_log_record(
        user=world.colleague,
        young_person=world.young_person,
        action=AccessAction.VIEW_CARD,
        detail="=cmd",
    )
    _raw, rows = read_csv(
        _get(client, world.referent, "reports:export_access_log", pk=world.young_person.pk)
    )
    assert rows[1][1] == world.colleague.display_name
    assert rows[1][3] == "'=cmd"
    for user in (world.colleague, world.other_supervisor):
        response = _get(client, user, "reports:export_access_log", pk=world.young_person.pk)
        assert response.status_code == 404


def test_export_dates_are_local_and_french(client, settings):
    world = make_org()
    when = timezone.make_aware(timezone.datetime(2025, 1, 2, 23, 30))
    FollowUpFactory(young_person=world.young_person, occurred_at=when - timedelta(hours=1))
    _raw, rows = read_csv(_get(client, world.referent, "reports:export_caseload"))
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert cells[_("Last follow-up")] == "02/01/2025 22:30"
    assert cells[_("Birth date")] == world.young_person.birth_date.strftime("%d/%m/%Y")
