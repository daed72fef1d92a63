"""Reading a spreadsheet export (CSV) for the import: encodings, separators, line numbers
and a first guess of which column holds what. Reads only; nothing here touches the
database."""

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import DomainError

IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 5000

# The fields a column can be mapped to, with their labels; the first three are required.
IMPORT_FIELDS: tuple[tuple[str, object], ...] = (
    ("first_name", gettext_lazy("First name")),
    ("last_name", gettext_lazy("Last name")),
    ("birth_date", gettext_lazy("Birth date")),
    ("email", gettext_lazy("Email")),
    ("phone", gettext_lazy("Phone")),
    ("city", gettext_lazy("City")),
    ("referent", gettext_lazy("Referent")),
)
REQUIRED_FIELDS = ("first_name", "last_name", "birth_date")


class ImportFileError(DomainError):
    """The file as a whole cannot be used (too big, not CSV, no header…)."""


@dataclass(frozen=True)
class ParsedFile:
    name: str
    encoding: str
    delimiter: str
    headers: tuple[str, ...]
    # (line number in the file, cells); the header is line 1, blank rows are left out.
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def decode(content: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252, else Latin-1."""
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as error:
            raise ImportFileError(_("The file says it is UTF-8 but is not.")) from error
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise ImportFileError(_("The file says it is UTF-16 but is not.")) from error
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return content.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """`;`, `,` or tab: whichever the header line uses most (`;` when in doubt)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ";"


def parse_text(text: str, *, name: str = "", encoding: str = "utf-8") -> ParsedFile:
    if "\x00" in text:
        raise ImportFileError(_("This is not a CSV file. Save the spreadsheet as CSV first."))
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: tuple[str, ...] | None = None
    rows: list[tuple[int, tuple[str, ...]]] = []
    previous_end = 0
    try:
        for record in reader:
            line = previous_end + 1  # a quoted cell may span lines: report where it starts
            previous_end = reader.line_num
            cells = tuple(cell.strip() for cell in record)
            if not any(cells):
                continue
            if headers is None:
                headers = cells
                continue
            rows.append((line, cells))
            if len(rows) > IMPORT_MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(max)d rows. Split it into smaller files.")
                    % {"max": IMPORT_MAX_ROWS}
                )
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)d cannot be read as CSV: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from error
    if headers is None:
        raise ImportFileError(_("The file is empty."))
    if not rows:
        raise ImportFileError(_("The file has column names but no row to import."))
    return ParsedFile(
        name=name, encoding=encoding, delimiter=delimiter, headers=headers, rows=tuple(rows)
    )


def parse_csv(content: bytes, *, name: str = "") -> ParsedFile:
    if len(content) > IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is too large; the limit is %(limit)s MB.")
            % {"limit": f"{IMPORT_MAX_BYTES / 1_048_576:.0f}"}
        )
    if content.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportFileError(
            _("This is an Excel or OpenDocument file. Save it as CSV first, then upload it.")
        )
    text, encoding = decode(content)
    return parse_text(text, name=name, encoding=encoding)


def _normalise_header(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


# Header names seen in spreadsheets kept by missions locales, in French and English.
_HEADER_SYNONYMS = {
    "first_name": {"prenom", "prenoms", "firstname", "first", "givenname"},
    "last_name": {"nom", "nomdefamille", "nomdusage", "lastname", "surname", "familyname"},
    "birth_date": {
        "datedenaissance",
        "datenaissance",
        "naissance",
        "nele",
        "nee",
        "ddn",
        "birthdate",
        "dateofbirth",
        "dob",
    },
    "email": {
        "email",
        "mail",
        "courriel",
        "adressemail",
        "adresseemail",
        "adressecourriel",
        "emailaddress",
    },
    "phone": {
        "telephone",
        "tel",
        "portable",
        "mobile",
        "numerodetelephone",
        "phone",
        "phonenumber",
    },
    "city": {"ville", "commune", "localite", "city", "town"},
    "referent": {
        "referent",
        "conseiller",
        "conseillerreferent",
        "conseillere",
        "referentusername",
        "identifiantreferent",
        "advisor",
    },
}


def guess_mapping(headers: Sequence[str]) -> dict[str, int | None]:
    """A first mapping from the column names; the user checks and corrects it."""
    known = {name: set(words) for name, words in _HEADER_SYNONYMS.items()}
    for name, label in IMPORT_FIELDS:
        known[name].add(_normalise_header(str(label)))  # our own export, in any language
    mapping: dict[str, int | None] = dict.fromkeys(known)
    for index, header in enumerate(headers):
        normalised = _normalise_header(header)
        for name, words in known.items():
            if mapping[name] is None and normalised in words:
                mapping[name] = index
                break
    return mapping


def mapped_cell(cells: Sequence[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    value = cells[index].strip()
    # Our own exports protect formula-like cells with an apostrophe: take it off again.
    if value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
        value = value[1:]
    return value
