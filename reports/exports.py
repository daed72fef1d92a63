"""CSV exports of the lists, streamed row by row.

Format, chosen for the spreadsheets French offices use:
- UTF-8 with a byte-order mark: without it, Excel on Windows reads the file as cp1252 and
  mangles every accent;
- `;` between cells: Excel set to French uses `,` as the decimal separator and expects `;`;
- CRLF line ends (RFC 4180); dates as DD/MM/YYYY, times as HH:MM, in the instance's time
  zone, so that an exported caseload can be imported again as it is;
- a cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a
  carriage return) gets a leading apostrophe (OWASP, "CSV injection").

The rows come from the same scoped selectors and filters as the pages: an export never
holds a row its reader could not open on screen.
"""

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

BOM = "\ufeff"
DELIMITER = ";"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def neutralise(value: object) -> object:
    """A cell value safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


@dataclass(frozen=True)
class Column:
    header: Any  # a lazy translation
    value: Callable[[Any], object]


class _Echo:
    """csv.writer writes to this and we yield what it wrote: no buffer grows."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: Sequence[Column], objects: Iterable[Any]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=DELIMITER, lineterminator="\r\n")
    yield BOM + writer.writerow([str(column.header) for column in columns])
    for obj in objects:
        yield writer.writerow([neutralise(column.value(obj)) for column in columns])


def csv_response(
    stem: str, columns: Sequence[Column], objects: Iterable[Any]
) -> StreamingHttpResponse:
    # Headers are resolved now, in the request's language, not while streaming.
    resolved = [Column(str(column.header), column.value) for column in columns]
    response = StreamingHttpResponse(
        csv_lines(resolved, objects), content_type="text/csv; charset=utf-8"
    )
    filename = f"{slugify(stem) or 'export'}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _display(user) -> str:
    return user.display_name if user else ""


CASELOAD_COLUMNS = (
    Column(gettext_lazy("Last name"), lambda yp: yp.last_name),
    Column(gettext_lazy("First name"), lambda yp: yp.first_name),
    Column(gettext_lazy("Birth date"), lambda yp: yp.birth_date),
    Column(gettext_lazy("Email"), lambda yp: yp.email),
    Column(gettext_lazy("Phone"), lambda yp: yp.phone),
    Column(gettext_lazy("City"), lambda yp: yp.city),
    Column(gettext_lazy("Situation"), lambda yp: yp.get_situation_display()),
    Column(gettext_lazy("Status"), lambda yp: yp.get_status_display()),
    Column(gettext_lazy("Referent"), lambda yp: _display(yp.referent)),
    Column(gettext_lazy("Organisation"), lambda yp: yp.organization.name),
    Column(gettext_lazy("Last follow-up"), lambda yp: yp.last_follow_up_at),
    Column(gettext_lazy("Next appointment"), lambda yp: yp.next_appointment_at),
    Column(gettext_lazy("Steps done"), lambda yp: yp.steps_done),
    Column(gettext_lazy("Steps (total)"), lambda yp: yp.steps_total),
    Column(gettext_lazy("Overdue steps"), lambda yp: yp.overdue_steps),
    Column(gettext_lazy("File opened on"), lambda yp: yp.created_at),
)

# No free text (message, notes) in referral exports: the spreadsheet travels further than
# the screen, and the record's free text stays on the referral page.
REFERRAL_COLUMNS = (
    Column(gettext_lazy("Reference"), lambda r: r.reference),
    Column(gettext_lazy("Last name"), lambda r: r.young_person.last_name),
    Column(gettext_lazy("First name"), lambda r: r.young_person.first_name),
    Column(gettext_lazy("Birth year"), lambda r: r.young_person.birth_date.year),
    Column(gettext_lazy("From"), lambda r: r.from_organization.name),
    Column(gettext_lazy("Sent by"), lambda r: _display(r.sent_by)),
    Column(gettext_lazy("To"), lambda r: r.to_organization.name),
    Column(gettext_lazy("Reason"), lambda r: r.get_reason_display()),
    Column(
        gettext_lazy("Shared sections"),
        lambda r: ", ".join(str(label) for label in r.shared_section_labels),
    ),
    Column(gettext_lazy("Sent on"), lambda r: r.sent_at),
    Column(gettext_lazy("Status"), lambda r: r.get_status_display()),
    Column(gettext_lazy("Handler"), lambda r: _display(r.handler)),
    Column(gettext_lazy("Answered on"), lambda r: r.answered_at),
    Column(gettext_lazy("Closed on"), lambda r: r.closed_at),
    Column(
        gettext_lazy("Decline reason"),
        lambda r: r.get_decline_reason_display() if r.decline_reason else "",
    ),
    Column(
        gettext_lazy("Outcome"), lambda r: r.get_outcome_code_display() if r.outcome_code else ""
    ),
)

ACCESS_LOG_COLUMNS = (
    Column(gettext_lazy("When"), lambda e: e.at),
    Column(gettext_lazy("Who"), lambda e: _display(e.user)),
    Column(gettext_lazy("What"), lambda e: e.get_action_display()),
    Column(gettext_lazy("Detail"), lambda e: e.detail),
    Column(gettext_lazy("How"), lambda e: e.get_channel_display()),
)
