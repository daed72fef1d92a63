"""CSV exports, streamed row by row.

Format, chosen for the spreadsheets French offices use:
- UTF-8 with a byte-order mark: without it, Excel on Windows reads the file as cp1252 and
  mangles every accent;
- `;` between cells: Excel set to French uses `,` as the decimal separator and expects `;`;
- CRLF line ends (RFC 4180); dates as DD/MM/YYYY, times as HH:MM, in the instance's time
  zone, so that an exported caseload can be imported again as it is;
- a cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a
  carriage return) gets a leading apostrophe (OWASP, "CSV injection").

Used by the reports (reports/exports.py) and the security log (accounts).
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
