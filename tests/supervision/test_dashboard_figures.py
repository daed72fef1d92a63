"""Every figure of the dashboard, on an organisation built by hand (tests/supervision/
known_org.py), read from the rendered page; then every figure's link, followed to the
list behind it, which must hold exactly that many files (or steps, or referrals)."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.supervision.html_tables import table_rows
from tests.supervision.known_org import (
    COLUMNS,
    EXPECTED_FUNNEL_DEFAULT,
    EXPECTED_FUNNEL_LAST_30_DAYS,
    EXPECTED_RECEIVED_WAITING,
    EXPECTED_ROWS,
    EXPECTED_TOTALS,
    build_known_org,
)

pytestmark = pytest.mark.django_db

FUNNEL_LABELS = (
    "Email address created",
    "Email with an attachment sent",
    "CV uploaded as a file",
    "First online application sent",
    "Hired",
)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def known():
    return build_known_org()


@pytest.fixture
def page(client, known):
    client.force_login(known.users["sam"])
    response = client.get(reverse("supervision:dashboard", args=[known.org.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _advisor_rows(html: str) -> dict[str, list]:
    rows = table_rows(html, "advisors-table")
    header, body = rows[0], rows[1:]
    assert [c.text for c in header] == [
        "Advisor",
        "Active files",
        "No follow-up for 30 days",
        "No follow-up for 60 days",
        "No follow-up for 90 days",
        "Overdue steps",
        "Appointments in the next 14 days",
        "Referrals waiting for an answer",
    ]
    by_name = {}
    for row in body:
        name = row[0].text
        by_name[name] = row
    return by_name


def test_every_cell_of_the_advisor_table(page):
    rows = _advisor_rows(page)
    total = rows.pop("Total")
    shown = {}
    for name, cells in rows.items():
        advisor = next(n for n in EXPECTED_ROWS if name.startswith(n))
        shown[advisor] = tuple(int(cell.text) for cell in cells[1:])
    assert shown == EXPECTED_ROWS
    assert tuple(int(cell.text) for cell in total[1:]) == EXPECTED_TOTALS
    # Members first, then whoever left but still holds files.
    assert [name.split(" no longer")[0] for name in rows] == [
        "Alice Martin",
        "Bob Petit",
        "Sam Durand",
        "Dora Leroy",
    ]


def test_former_members_and_admins(page):
    rows = _advisor_rows(page)
    dora = next(cells for name, cells in rows.items() if name.startswith("Dora"))
    assert "no longer a member" in dora[0].text
    assert "Reassign their 2 open files" in dora[0].text
    assert "metric=held" in dora[0].href
    # Ed only holds a closed file, Olga administers: neither is a caseload.
    assert not any(name.startswith(("Ed ", "Olga", "Oscar", "Sven")) for name in rows)


def test_summary_cards(page):
    assert "Referrals received, waiting for an answer</a> : <strong>1</strong>" in page
    assert "Active files</a> : <strong>9</strong>" in page
    assert "Overdue steps</a> : <strong>4</strong>" in page
    assert EXPECTED_RECEIVED_WAITING == 1


def _funnel_table(html: str) -> dict[str, tuple[int, str]]:
    rows = table_rows(html, "funnel-table")[1:]
    return {row[0].text: (int(row[1].text), row[1].href) for row in rows}


def test_funnel_bars_and_table_default_period(page, known):
    table = _funnel_table(page)
    assert tuple(table) == FUNNEL_LABELS
    assert tuple(value for value, _href in table.values()) == EXPECTED_FUNNEL_DEFAULT
    # The SVG says the same, bar by bar, and in its text alternative.
    desc = "; ".join(
        f"{label}: {value}"
        for label, value in zip(FUNNEL_LABELS, EXPECTED_FUNNEL_DEFAULT, strict=True)
    )
    assert f'<desc id="funnel-chart-desc">{desc}</desc>' in page
    values = re.findall(r'font-weight="bold">(\d+)</text>', page)
    assert tuple(int(v) for v in values) == EXPECTED_FUNNEL_DEFAULT


def test_funnel_bar_lengths_follow_the_values(page):
    widths = [int(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="(\d+)"', page)]
    highest = max(EXPECTED_FUNNEL_DEFAULT)
    assert widths == [round(max(widths) * v / highest) for v in EXPECTED_FUNNEL_DEFAULT]


def test_funnel_over_a_chosen_period(client, known):
    client.force_login(known.users["sam"])
    today = timezone.localdate()
    response = client.get(
        reverse("supervision:dashboard", args=[known.org.pk]),
        {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()},
    )
    table = _funnel_table(response.content.decode())
    assert tuple(value for value, _href in table.values()) == EXPECTED_FUNNEL_LAST_30_DAYS
    # The period travels with the drill-down links.
    assert all(f"start={(today - timedelta(days=30)).isoformat()}" in h for _v, h in table.values())


def _list_figure(client, href: str, column: str) -> int:
    response = client.get(href)
    assert response.status_code == 200, href
    page = response.context["page"]
    assert page.paginator.num_pages == 1
    if column == "overdue_steps":
        # The figure counts steps; the list shows the files that have them, with theirs.
        return sum(yp.overdue_steps for yp in page.object_list)
    return page.paginator.count


def test_every_figure_links_to_its_list(client, known, page):
    rows = _advisor_rows(page)
    for name, cells in rows.items():
        for column, cell in zip(COLUMNS, cells[1:], strict=True):
            assert urlsplit(cell.href).path.startswith(f"/supervision/{known.org.pk}/")
            assert _list_figure(client, cell.href, column) == int(cell.text), (name, column)
    for _label, (value, href) in _funnel_table(page).items():
        assert _list_figure(client, href, "funnel") == value, href


@pytest.mark.parametrize(
    ("referent", "metric", "expected"),
    [
        ("alice", "active", {"a1", "a2", "a3", "a4", "a5"}),
        ("alice", "no_follow_up_30", {"a2", "a3", "a4", "a5"}),
        ("alice", "no_follow_up_60", {"a3", "a4", "a5"}),
        ("alice", "no_follow_up_90", {"a4", "a5"}),
        ("alice", "overdue_steps", {"a1", "a2"}),
        ("alice", "appointments", {"a1", "a4"}),
        ("bob", "no_follow_up_30", {"b2", "b3"}),
        ("bob", "appointments", {"b1", "b3"}),
        ("dora", "held", {"d1", "d2"}),
        (None, "no_follow_up_90", {"a4", "a5", "d1"}),
    ],
)
def test_lists_hold_the_expected_files(client, known, referent, metric, expected):
    client.force_login(known.users["sam"])
    query = {"metric": metric}
    if referent:
        query["referent"] = known.users[referent].pk
    response = client.get(reverse("supervision:young_people", args=[known.org.pk]), query)
    listed = {yp.pk for yp in response.context["page"].paginator.object_list}
    assert listed == known.ids(*expected)


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("create_email", {"a3", "a4", "b1"}),
        ("send_attachment", {"a3", "b1"}),
        ("upload_cv", {"a1", "a7", "b1"}),
        ("first_online_application", {"a3"}),
        (None, {"a3", "b1"}),
    ],
)
def test_funnel_lists(client, known, step, expected):
    client.force_login(known.users["sam"])
    query = {"metric": "step_done", "step": step} if step else {"metric": "hired"}
    response = client.get(reverse("supervision:young_people", args=[known.org.pk]), query)
    listed = {yp.pk for yp in response.context["page"].paginator.object_list}
    assert listed == known.ids(*expected)


def test_referral_lists(client, known):
    client.force_login(known.users["sam"])
    url = reverse("supervision:referrals", args=[known.org.pk])
    sent = client.get(url, {"direction": "sent", "referent": known.users["alice"].pk})
    assert {r.young_person_id for r in sent.context["page"].object_list} == known.ids("a1", "a6")
    everyone = client.get(url, {"direction": "sent"})
    assert everyone.context["page"].paginator.count == 2
    received = client.get(url, {"direction": "received"})
    assert [r.young_person_id for r in received.context["page"].object_list] == [known.yp["x2"].pk]
    html = received.content.decode()
    assert "Mission locale Ailleurs" in html
    assert reverse("referrals:detail", args=[received.context["page"].object_list[0].pk]) in html


def test_the_other_organisation_sees_only_its_own(client, known):
    client.force_login(known.users["other_supervisor"])
    response = client.get(reverse("supervision:dashboard", args=[known.other.pk]))
    rows = _advisor_rows(response.content.decode())
    assert [int(c.text) for c in rows["Oscar Autre"][1:]] == [3, 3, 3, 3, 1, 1, 2]
    assert set(rows) == {"Oscar Autre", "Sven Autre", "Total"}
    assert client.get(reverse("supervision:dashboard", args=[known.org.pk])).status_code == 404
