"""Every report PDF, read back with pypdf: its text, its metadata (title, author,
language), its page numbers, the escaping of user strings, and who may get it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from cases import services
from cases.enums import AccessAction, StepStatus
from cases.models import AccessLog
from core import pdf as common
from core.pdf import fmt_long_date
from referrals import services as referral_services
from referrals.enums import OutcomeCode, ReferralStatus, SharedSection
from tests.factories import (
    FollowUpFactory,
    OrganizationFactory,
    StepFactory,
    YoungPersonFactory,
    default_step_type,
    member,
)
from tests.reports.report_helpers import (
    TRICKY_FIRST,
    TRICKY_LAST,
    make_org,
    page_text,
    read_pdf,
)

pytestmark = pytest.mark.django_db


def _page(n: int) -> str:
    return _("Page %(page)d") % {"page": n}


def _lang(reader) -> str:
    return str(reader.trailer["/Root"].get("/Lang"))


def _font_sizes(reader) -> set[float]:
    sizes: set[float] = set()

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            sizes.add(round(font_size * tm[0], 1))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return sizes


def _summary(client, user, young_person):
    client.force_login(user)
    return client.get(reverse("reports:young_person_summary", args=[young_person.pk]))


def _pathway(client, user, young_person):
    client.force_login(user)
    return client.get(reverse("reports:my_pathway", args=[young_person.pk]))


# --- file summary ------------------------------------------------------------------------


def test_file_summary_content_metadata_and_escaping(client):
    world = make_org()
    yp = world.young_person
    StepFactory(young_person=yp, step_type=default_step_type("create_email"), done=True)
    StepFactory(young_person=yp, step_type=default_step_type("write_cv"), overdue=True)
    FollowUpFactory(
        young_person=yp,
        notes="Atelier <i>CV</i> & lettre — « très bien »",
        next_action="Envoyer le CV à l'employeur",
    )

    text, reader = read_pdf(_summary(client, world.referent, yp))

    assert f"{TRICKY_FIRST} {TRICKY_LAST}" in text  # markup characters shown, not obeyed
    assert "Atelier <i>CV</i> & lettre — « très bien »" in text
    assert "Envoyer le CV à l'employeur" in text
    assert default_step_type("create_email").label in text
    assert default_step_type("write_cv").label in text
    assert "zoe@example.org" in text and "06 11 22 33 44" in text
    assert world.referent.display_name in text
    assert reader.metadata.title == _("File summary: %(name)s") % {"name": yp.full_name}
    assert reader.metadata.author == world.organization.name
    assert _lang(reader) == "fr-FR"
    assert _page(1) in text


def test_file_summary_records_the_access(client):
    world = make_org()
    _summary(client, world.supervisor, world.young_person)
    entry = AccessLog.objects.get(young_person=world.young_person, user=world.supervisor)
    assert entry.action == AccessAction.VIEW_FILE
    assert "PDF" in entry.detail


def test_file_summary_with_200_follow_ups_runs_over_numbered_pages(client):
    world = make_org()
    for i in range(200):
        FollowUpFactory(
            young_person=world.young_person,
            occurred_at=timezone.now() - timedelta(days=i),
            notes=f"Entretien numéro {i:03d}",
        )
    text, reader = read_pdf(_summary(client, world.referent, world.young_person))
    assert len(reader.pages) > 5
    assert "Entretien numéro 000" in text and "Entretien numéro 199" in text
    for n in range(1, len(reader.pages) + 1):
        assert _page(n) in page_text(reader, n - 1)
    assert _("Follow-ups (%(count)d)") % {"count": 200} in text


def test_a_long_note_splits_across_pages_instead_of_failing(client):
    world = make_org()
    FollowUpFactory(young_person=world.young_person, notes="Très long. " * 1500)
    _text, reader = read_pdf(_summary(client, world.referent, world.young_person))
    assert len(reader.pages) >= 3


@pytest.mark.parametrize("url_name", ["reports:young_person_summary", "reports:my_pathway"])
def test_file_pdfs_are_404_out_of_reach(client, url_name):
    world = make_org()
    for user in (world.colleague, world.other_advisor, world.other_supervisor):
        client.force_login(user)
        response = client.get(reverse(url_name, args=[world.young_person.pk]))
        assert response.status_code == 404
    client.force_login(world.referent)
    assert client.get(reverse(url_name, args=[999_999])).status_code == 404
    assert not AccessLog.objects.filter(young_person=world.young_person).exists()


def test_a_delegate_gets_the_file_pdfs(client):
    world = make_org()
    services.delegation_grant(
        actor=world.referent,
        young_person=world.young_person,
        grantee=world.colleague,
        ends_on=timezone.localdate() + timedelta(days=3),
    )
    read_pdf(_summary(client, world.colleague, world.young_person))
    read_pdf(_pathway(client, world.colleague, world.young_person))


# --- my pathway ----------------------------------------------------------------------------


def _pathway_world():
    world = make_org()
    yp = world.young_person
    StepFactory(young_person=yp, step_type=default_step_type("create_email"), done=True)
    StepFactory(young_person=yp, step_type=default_step_type("write_cv"))
    StepFactory(
        young_person=yp,
        step_type=default_step_type("upload_cv"),
        status=StepStatus.NOT_APPLICABLE,
    )
    appointment = timezone.now() + timedelta(days=3)
    FollowUpFactory(young_person=yp, next_appointment=appointment)
    emmaus = OrganizationFactory(emmaus=True, name="Emmaüs Connect Lille")
    referral = referral_services.referral_send(
        actor=world.referent,
        young_person=yp,
        to_organization=emmaus,
        reason="equipment",
        message="",
        shared_sections=[SharedSection.IDENTITY, SharedSection.DIAGNOSTIC],
        consent_method="oral",
        consent_given=True,
    )
    partner = member(emmaus, Role.ADVISOR, first_name="Nadia", last_name="Benali")
    referral_services.referral_accept(actor=partner, referral=referral)
    services.access_log_record(
        user=partner, young_person=yp, action=AccessAction.VIEW_SHARED, detail=""
    )
    return world, appointment, emmaus, partner


def test_my_pathway_tells_the_young_person_everything_owed(client):
    world, appointment, emmaus, partner = _pathway_world()
    text, reader = read_pdf(_pathway(client, world.referent, world.young_person))

    assert _("My pathway") in text
    assert _("Hello %(first_name)s,") % {"first_name": TRICKY_FIRST} in text
    # Checklist: done ✓, to do ☐, not applicable left out.
    assert f"✓ {default_step_type('create_email').label}" in text
    assert f"☐ {default_step_type('write_cv').label}" in text
    assert default_step_type("upload_cv").label not in text
    assert fmt_long_date(appointment) in text
    # Who holds the file.
    assert world.referent.display_name in text
    assert world.organization.name in text
    # Who looked: the partner (with their organisation) and the referent printing it now.
    assert partner.display_name in text
    assert emmaus.name in text
    # What was shared with whom, and where it stands.
    assert str(SharedSection.IDENTITY.label) in text
    assert str(SharedSection.DIAGNOSTIC.label) in text
    assert str(ReferralStatus.ACCEPTED.label) in text
    # Metadata and large type.
    assert reader.metadata.title == _("My pathway: %(name)s") % {
        "name": world.young_person.full_name
    }
    assert reader.metadata.author == world.organization.name
    assert _lang(reader) == "fr-FR"
    assert 14.0 in _font_sizes(reader)
    assert min(s for s in _font_sizes(reader) if s > 8) >= 11  # footer aside, nothing small
    assert _page(1) in text


def test_my_pathway_logs_itself_and_lists_recent_looks_first(client):
    world, *_ = _pathway_world()
    old = services.access_log_record(
        user=world.colleague, young_person=world.young_person, action=AccessAction.VIEW_CARD
    )
    AccessLog.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=400))
    text, _reader = read_pdf(_pathway(client, world.supervisor, world.young_person))
    assert AccessLog.objects.filter(
        user=world.supervisor, action=AccessAction.VIEW_FILE, young_person=world.young_person
    ).exists()
    assert text.index(world.supervisor.display_name) < text.index(world.colleague.display_name)


def test_my_pathway_with_nothing_yet(client):
    world = make_org()
    text, _reader = read_pdf(_pathway(client, world.referent, world.young_person))
    assert _("No step has been planned with you yet.") in text
    assert _("No appointment is planned yet. Ask your advisor for one.") in text
    assert _("Nothing from your file was sent to another organisation.") in text


def test_my_pathway_falls_back_to_text_boxes_without_the_glyphs(client, monkeypatch):
    monkeypatch.setattr(common, "has_glyphs", lambda text: False)
    world, *_ = _pathway_world()
    text, _reader = read_pdf(_pathway(client, world.referent, world.young_person))
    assert f"[x] {default_step_type('create_email').label}" in text
    assert f"[ ] {default_step_type('write_cv').label}" in text


# --- caseload report -----------------------------------------------------------------------


def _caseload(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reports:caseload_pdf"), params)


def test_caseload_report_of_my_own_files(client):
    world = make_org()
    mine = YoungPersonFactory(
        organization=world.organization, referent=world.referent, last_name="Mienne"
    )
    StepFactory(young_person=mine, step_type=default_step_type("create_email"), done=True)
    StepFactory(young_person=mine, step_type=default_step_type("write_cv"), overdue=True)
    StepFactory(
        young_person=mine,
        step_type=default_step_type("upload_cv"),
        status=StepStatus.NOT_APPLICABLE,
    )
    FollowUpFactory(young_person=mine, next_appointment=timezone.now() + timedelta(days=2))
    YoungPersonFactory(
        organization=world.organization, referent=world.colleague, last_name="Collegue"
    )
    YoungPersonFactory(organization=world.other, referent=world.other_advisor, last_name="Ailleurs")

    text, reader = read_pdf(_caseload(client, world.referent))

    assert "MIENNE" in text
    assert TRICKY_LAST.upper() in text and TRICKY_FIRST in text
    assert "COLLEGUE" not in text and "AILLEURS" not in text
    assert "1/2" in text  # steps done / applicable
    title = _("Caseload of %(name)s") % {"name": world.referent.display_name}
    assert reader.metadata.title == title
    assert reader.metadata.author == world.organization.name
    assert _lang(reader) == "fr-FR"
    assert _page(1) in text


def test_caseload_report_of_the_organisation_for_its_supervisor(client):
    world = make_org()
    YoungPersonFactory(
        organization=world.organization, referent=world.colleague, last_name="Collegue"
    )
    YoungPersonFactory(organization=world.other, referent=world.other_advisor, last_name="Ailleurs")
    text, reader = read_pdf(_caseload(client, world.supervisor, scope="organization"))
    assert "COLLEGUE" in text and TRICKY_LAST.upper() in text
    assert "AILLEURS" not in text
    assert world.colleague.display_name in text  # the referent column
    assert reader.metadata.title == _("Caseload of %(organization)s") % {
        "organization": world.organization.name
    }


def test_a_supervisor_prints_one_advisors_caseload(client):
    world = make_org()
    YoungPersonFactory(
        organization=world.organization, referent=world.colleague, last_name="Collegue"
    )
    text, reader = read_pdf(_caseload(client, world.supervisor, advisor=world.referent.pk))
    assert TRICKY_LAST.upper() in text and "COLLEGUE" not in text
    assert world.referent.display_name in reader.metadata.title


@pytest.mark.parametrize(
    ("who", "params"),
    [
        ("referent", {"advisor": "colleague"}),  # an advisor cannot pick another advisor
        ("referent", {"scope": "organization"}),  # nor print the organisation
        ("other_supervisor", {"advisor": "referent"}),  # another organisation's advisor
        ("supervisor", {"advisor": "other_advisor"}),
        ("supervisor", {"scope": "organization", "organization": "other"}),
        ("supervisor", {"advisor": "not-a-number"}),
    ],
)
def test_caseload_report_out_of_reach_is_404(client, who, params):
    world = make_org()
    resolved = {}
    for key, value in params.items():
        if key == "advisor" and hasattr(world, value):
            resolved[key] = getattr(world, value).pk
        elif key == "organization":
            resolved[key] = world.other.pk
        else:
            resolved[key] = value
    assert _caseload(client, getattr(world, who), **resolved).status_code == 404


def test_caseload_report_repeats_its_header_on_every_page(client):
    world = make_org()
    YoungPersonFactory.create_batch(120, organization=world.organization, referent=world.referent)
    _text, reader = read_pdf(_caseload(client, world.referent))
    assert len(reader.pages) >= 3
    for index in range(1, len(reader.pages)):
        page = page_text(reader, index)
        assert _("Last follow-up") in page and _page(index + 1) in page


# --- activity report -------------------------------------------------------------------


def _activity(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reports:activity_pdf"), params)


def _at(day: date, hour: int = 10):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour))


def test_activity_report_figures(client):
    world = make_org()
    start, end = date(2025, 3, 1), date(2025, 3, 31)
    inside, before = _at(date(2025, 3, 10)), _at(date(2025, 2, 27))
    a = world.young_person
    b = YoungPersonFactory(organization=world.organization, referent=world.referent)
    c = YoungPersonFactory(organization=world.organization, referent=world.referent)
    a.__class__.objects.filter(pk=a.pk).update(created_at=inside)
    a.__class__.objects.filter(pk__in=[b.pk, c.pk]).update(created_at=before)
    FollowUpFactory(young_person=a, occurred_at=inside, duration_minutes=45)
    FollowUpFactory(young_person=a, occurred_at=inside, duration_minutes=30)
    FollowUpFactory(young_person=b, occurred_at=_at(end, 23), duration_minutes=15)
    FollowUpFactory(young_person=c, occurred_at=before, duration_minutes=60)
    email = default_step_type("create_email")
    StepFactory(young_person=a, step_type=email, status=StepStatus.DONE, completed_at=inside)
    StepFactory(young_person=b, step_type=email, status=StepStatus.DONE, completed_at=before)
    StepFactory(young_person=c, step_type=email)
    for step in a.steps.all() | b.steps.all() | c.steps.all():
        step.__class__.objects.filter(pk=step.pk).update(created_at=before)
    other_yp = YoungPersonFactory(organization=world.other, referent=world.other_advisor)
    FollowUpFactory(young_person=other_yp, occurred_at=inside, duration_minutes=600)

    emmaus = OrganizationFactory(emmaus=True)
    handler = member(emmaus, Role.ADVISOR)
    sent = []
    for yp in (a, b, c):
        sent.append(
            referral_services.referral_send(
                actor=world.referent,
                young_person=yp,
                to_organization=emmaus,
                reason="equipment",
                message="",
                shared_sections=["identity"],
                consent_method="oral",
                consent_given=True,
            )
        )
    referral_services.referral_accept(actor=handler, referral=sent[0])
    referral_services.referral_complete(
        actor=handler, referral=sent[0], outcome_code=OutcomeCode.EQUIPMENT_PROVIDED
    )
    referral_services.referral_decline(actor=handler, referral=sent[1], reason="no_capacity")
    sent[0].__class__.objects.filter(pk__in=[r.pk for r in sent]).update(sent_at=inside)

    text, reader = read_pdf(
        _activity(client, world.supervisor, start=start.isoformat(), end="31/03/2025")
    )

    def fact(label, value) -> bool:
        return f"{label} {value}" in text

    assert fact(_("People accompanied (at least one follow-up)"), 2)
    assert fact(_("New files opened"), 1)
    assert fact(_("Follow-ups"), 3)
    assert fact(_("Time spent in follow-ups"), "1 h 30")
    assert f"{email.label} 3 1 33 %" in text
    assert fact(_("Referrals sent"), 3)
    assert f"{ReferralStatus.COMPLETED.label} 1" in text
    assert f"{ReferralStatus.DECLINED.label} 1" in text
    assert f"{ReferralStatus.SENT.label} 1" in text
    assert f"{OutcomeCode.EQUIPMENT_PROVIDED.label} 1" in text
    assert world.organization.name in reader.metadata.title
    assert "01/03/2025" in reader.metadata.title and "31/03/2025" in reader.metadata.title
    assert reader.metadata.author == world.organization.name
    assert _lang(reader) == "fr-FR"
    assert _page(1) in text


def test_activity_report_defaults_to_last_month(client):
    world = make_org()
    _text, reader = read_pdf(_activity(client, world.supervisor))
    first = timezone.localdate().replace(day=1)
    last_month_end = first - timedelta(days=1)
    assert last_month_end.strftime("%d/%m/%Y") in reader.metadata.title


def test_activity_report_rejects_a_reversed_period(client):
    world = make_org()
    response = _activity(client, world.supervisor, start="2025-03-31", end="2025-03-01")
    assert response.status_code == 400
    assert "reports/activity_form.html" in [t.name for t in response.templates]


def test_activity_report_is_for_supervisors_of_the_organisation(client):
    world = make_org()
    for user in (world.referent, world.colleague):
        assert _activity(client, user).status_code == 404
    response = _activity(client, world.other_supervisor, organization=world.organization.pk)
    assert response.status_code == 404
