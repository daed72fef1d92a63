"""Import of young people from a spreadsheet export (CSV).

Reading the file (`reports.spreadsheets`) and planning the import touch nothing; the
import itself validates every row first and writes only when all of them are good, in one
transaction, through `cases.services` (so the usual rules and checks apply). Re-importing
the same file changes nothing: a row whose person already has a file in the organisation
(same first name, last name and birth date, case ignored) updates that file's contact
details or is skipped, never duplicated.
"""

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import casework_org_ids, organization_advisors
from cases import services as case_services
from cases import validators
from cases.enums import AccessLevel
from cases.models import YoungPerson
from cases.selectors import young_people_reachable
from core.exceptions import DomainError, NotAllowed
from history.context import recording
from history.enums import Channel
from reports.spreadsheets import IMPORT_FIELDS, REQUIRED_FIELDS, ImportFileError, mapped_cell

audit = logging.getLogger("relais.audit")

CONTACT_FIELDS = ("email", "phone", "city")
MAX_LENGTHS = {"first_name": 100, "last_name": 100, "email": 254, "phone": 30, "city": 100}

CREATE, UPDATE, SKIP = "create", "update", "skip"


# --- checking the rows -----------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    line: int
    field: str  # a label, empty for the whole row
    message: str


@dataclass(frozen=True)
class PlannedRow:
    line: int
    action: str  # CREATE, UPDATE or SKIP
    first_name: str
    last_name: str
    birth_date: date
    email: str
    phone: str
    city: str
    referent: str  # display name
    young_person_id: int | None = None
    changes: tuple[str, ...] = ()
    note: str = ""

    @property
    def changed_fields(self) -> str:
        labels = dict(IMPORT_FIELDS)
        return ", ".join(str(labels[name]) for name in self.changes)


@dataclass(frozen=True)
class ImportReport:
    dry_run: bool
    committed: bool
    total_rows: int
    rows: tuple[PlannedRow, ...] = ()
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def _count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self._count(CREATE)

    @property
    def updated(self) -> int:
        return self._count(UPDATE)

    @property
    def skipped(self) -> int:
        return self._count(SKIP)

    def errors_by_line(self) -> dict[int, list[RowError]]:
        found: dict[int, list[RowError]] = {}
        for error in self.errors:
            found.setdefault(error.line, []).append(error)
        return found


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_FRENCH = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")


def parse_birth_date(text: str) -> date:
    """YYYY-MM-DD or DD/MM/YYYY (also with - or . between the parts), checked by the
    same rule as the forms and the API (`cases.validators`)."""
    value = text.strip()
    match = _ISO.match(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _FRENCH.match(value)
        if not match:
            raise ValueError(_("Write the date as DD/MM/YYYY or YYYY-MM-DD."))
        day, month, year = (int(part) for part in match.groups())
        if year < 1000:
            raise ValueError(_("Write the year with four digits."))
    try:
        born = date(year, month, day)
    except ValueError as error:
        raise ValueError(_("This date does not exist.")) from error
    try:
        validators.validate_birth_date(born)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from error
    return born


def _key(first_name: str, last_name: str, birth_date: date) -> tuple[str, str, date]:
    return (first_name.strip().casefold(), last_name.strip().casefold(), birth_date)


class _Referents:
    """The organisation's advisors, found by username or by full name (case ignored)."""

    def __init__(self, organization: Organization) -> None:
        self.by_username: dict[str, User] = {}
        self.by_name: dict[str, list[User]] = {}
        for user in organization_advisors(organization.pk):
            self.by_username[user.username.casefold()] = user
            self.by_name.setdefault(user.get_full_name().casefold(), []).append(user)

    def find(self, text: str) -> User:
        wanted = " ".join(text.split()).casefold()
        if wanted in self.by_username:
            return self.by_username[wanted]
        matches = self.by_name.get(wanted, [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValueError(_("Several advisors have this name: use their username."))
        raise ValueError(_("No advisor of the organisation has this username or name."))


@dataclass
class _Checked:
    line: int
    values: dict[str, object]
    referent: User
    errors: list[RowError] = field(default_factory=list)


def _check_row(
    line: int,
    cells: Sequence[str],
    mapping: Mapping[str, int | None],
    *,
    actor: User,
    referents: _Referents,
    labels: dict[str, str],
) -> _Checked:
    raw = {name: mapped_cell(cells, mapping.get(name)) for name, _label in IMPORT_FIELDS}
    checked = _Checked(line=line, values={}, referent=actor)

    def fail(name: str, message: str) -> None:
        checked.errors.append(RowError(line, labels.get(name, ""), message))

    for name in ("first_name", "last_name", "email", "phone", "city"):
        value = " ".join(raw[name].split())
        if name in REQUIRED_FIELDS and not value:
            fail(name, _("This value is required."))
        elif len(value) > MAX_LENGTHS[name]:
            fail(name, _("At most %(max)d characters.") % {"max": MAX_LENGTHS[name]})
        checked.values[name] = value
    if checked.values["email"]:
        try:
            validate_email(checked.values["email"])
        except ValidationError:
            fail("email", _("This email address is not valid."))
    if not raw["birth_date"]:
        fail("birth_date", _("This value is required."))
    else:
        try:
            checked.values["birth_date"] = parse_birth_date(raw["birth_date"])
        except ValueError as error:
            fail("birth_date", f"{error} ({raw['birth_date']})")
    if raw["referent"]:
        try:
            checked.referent = referents.find(raw["referent"])
        except ValueError as error:
            fail("referent", f"{error} ({raw['referent']})")
    return checked


def _existing_files(
    actor: User, organization: Organization, birth_dates: set[date]
) -> dict[tuple[str, str, date], list[YoungPerson]]:
    """The organisation's files sharing a birth date with the file's rows, by identity key,
    each annotated with the actor's `access` (a few queries, not one per row)."""
    found: dict[tuple[str, str, date], list[YoungPerson]] = {}
    ordered = sorted(birth_dates)
    for start in range(0, len(ordered), 500):  # SQLite caps the parameters of one query
        chunk = ordered[start : start + 500]
        for young_person in young_people_reachable(actor).filter(
            organization=organization, birth_date__in=chunk
        ):
            key = _key(young_person.first_name, young_person.last_name, young_person.birth_date)
            found.setdefault(key, []).append(young_person)
    return found


def _plan(
    checked: _Checked, matches: list[YoungPerson], files: dict[int, YoungPerson]
) -> PlannedRow:
    values = checked.values
    planned = PlannedRow(
        line=checked.line,
        action=CREATE,
        first_name=str(values["first_name"]),
        last_name=str(values["last_name"]),
        birth_date=values["birth_date"],  # type: ignore[arg-type]
        email=str(values["email"]),
        phone=str(values["phone"]),
        city=str(values["city"]),
        referent=checked.referent.display_name,
    )
    if not matches:
        return planned
    if len(matches) > 1:
        return replace(
            planned,
            action=SKIP,
            note=_("Several files already match this person: nothing changed."),
        )
    existing = matches[0]
    planned = replace(planned, young_person_id=existing.pk, referent=existing.referent.display_name)
    if existing.access != AccessLevel.FULL:
        return replace(
            planned,
            action=SKIP,
            note=_("Already followed by %(name)s: nothing changed.")
            % {"name": existing.referent.display_name},
        )
    # Empty cells never erase what the file already holds.
    changes = tuple(
        name for name in CONTACT_FIELDS if values[name] and values[name] != getattr(existing, name)
    )
    if not changes:
        return replace(planned, action=SKIP, note=_("Already up to date."))
    files[existing.pk] = existing
    return replace(planned, action=UPDATE, changes=changes)


class _RowFailed(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error


def _messages(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, DomainError):
        return error.message
    return str(error)


def young_people_import(
    *,
    actor: User,
    organization: Organization,
    rows: Sequence[tuple[int, Sequence[str]]],
    mapping: Mapping[str, int | None],
    dry_run: bool,
) -> ImportReport:
    """Check every row, then (unless `dry_run`, and only if every row is good) write them
    all in one transaction. `rows` are (line number, cells); `mapping` gives the column
    index of each field of IMPORT_FIELDS (None: not in the file)."""
    if organization.pk not in casework_org_ids(actor):
        raise NotAllowed(_("You cannot import into this organisation."))
    labels = {name: str(label) for name, label in IMPORT_FIELDS}
    missing = [labels[name] for name in REQUIRED_FIELDS if mapping.get(name) is None]
    if missing:
        raise ImportFileError(
            _("Choose the column of: %(fields)s.") % {"fields": ", ".join(missing)}
        )

    referents = _Referents(organization)
    errors: list[RowError] = []
    valid: list[_Checked] = []
    first_seen: dict[tuple[str, str, date], int] = {}
    for line, cells in rows:
        checked = _check_row(line, cells, mapping, actor=actor, referents=referents, labels=labels)
        if not checked.errors:
            key = _key(
                str(checked.values["first_name"]),
                str(checked.values["last_name"]),
                checked.values["birth_date"],  # type: ignore[arg-type]
            )
            if key in first_seen:
                checked.errors.append(
                    RowError(
                        line,
                        "",
                        _("Same person as on line %(line)d.") % {"line": first_seen[key]},
                    )
                )
            else:
                first_seen[key] = line
        errors += checked.errors
        if not checked.errors:
            valid.append(checked)

    existing = _existing_files(actor, organization, {key[2] for key in first_seen})
    files: dict[int, YoungPerson] = {}
    planned = []
    for checked in valid:
        key = _key(
            str(checked.values["first_name"]),
            str(checked.values["last_name"]),
            checked.values["birth_date"],  # type: ignore[arg-type]
        )
        planned.append(_plan(checked, existing.get(key, []), files))
    report = ImportReport(
        dry_run=dry_run,
        committed=False,
        total_rows=len(rows),
        rows=tuple(planned),
        errors=tuple(errors),
    )
    if errors or dry_run:
        return report

    referent_of = {checked.line: checked.referent for checked in valid}
    written: list[PlannedRow] = []
    try:
        with transaction.atomic(), recording(channel=Channel.IMPORT, actor=actor):
            for row in planned:
                written.append(_write(actor, organization, row, referent_of[row.line], files))
    except _RowFailed as failed:
        # Everything written before the bad row was rolled back with the transaction.
        return replace(report, rows=tuple(planned), errors=(failed.error,))
    audit.info(
        "user=%s import organization=%s created=%s updated=%s skipped=%s",
        actor.pk,
        organization.pk,
        report.created,
        report.updated,
        report.skipped,
    )
    return replace(report, committed=True, rows=tuple(written))


def _write(
    actor: User,
    organization: Organization,
    row: PlannedRow,
    referent: User,
    files: dict[int, YoungPerson],
) -> PlannedRow:
    try:
        if row.action == CREATE:
            young_person = case_services.young_person_create(
                actor=actor,
                organization=organization,
                first_name=row.first_name,
                last_name=row.last_name,
                birth_date=row.birth_date,
                referent=referent,
                email=row.email,
                phone=row.phone,
                city=row.city,
                confirm_duplicate=True,
            )
            return replace(row, young_person_id=young_person.pk)
        if row.action == UPDATE:
            young_person = files[row.young_person_id]  # type: ignore[index]
            case_services.young_person_update(
                actor=actor,
                young_person=young_person,
                version=young_person.version,
                **{name: getattr(row, name) for name in row.changes},
            )
        return row
    except (DomainError, ValidationError) as error:
        # A rule the service enforces names its field: say which column is wrong.
        field = getattr(error, "field", None)
        label = str(dict(IMPORT_FIELDS).get(field, "")) if field else ""
        raise _RowFailed(RowError(row.line, label, _messages(error))) from error
