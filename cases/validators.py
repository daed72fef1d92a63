"""The rules on what a file may hold, written once.

The web forms, the API serializers, the CSV import and the services all call these
functions, so the same bad value gets the same message wherever it comes from. Each
validator raises Django's `ValidationError` (forms and DRF serializers turn it into an
error on their field by themselves); services call them through `enforce()`, which turns
the refusal into a `DomainError` naming the field — the last line of defence, whatever
calls the service (web, API, import, command).
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.enums import ApplicationStatus
from core.exceptions import DomainError

# The public of Relais is 16 to 25; a margin either side covers early registrations and
# the programmes that follow young people a little longer. Checked at the file's creation:
# a file created at 25 is still valid at 32.
MIN_AGE = 14
MAX_AGE = 30

# Moments of casework: a year like 0143 is a typo, and before 1911 Paris time has a
# seconds offset (+00:09:21) that no ISO 8601 reader accepts back (and the year 1 cannot
# even be converted to UTC).
EARLIEST_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2100, 1, 1, tzinfo=UTC)
# A follow-up is logged as it happens or afterwards; the tolerance absorbs clock drift and
# an interview typed in just before it ends.
FOLLOW_UP_FUTURE_TOLERANCE = timedelta(hours=1)

# A delegation covers an absence; past a year it is a new referent (a reassignment).
DELEGATION_MAX_DAYS = 366

# A bulk reassignment writes one access-log row per file: bounded, so the transaction is.
REASSIGN_MAX = 2000


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def validate_birth_date(born: date, *, on: date | None = None) -> None:
    """Not in the future, and an age between MIN_AGE and MAX_AGE on `on` (the day the file
    was created; today for a new file)."""
    today = timezone.localdate()
    if born > today:
        raise ValidationError(_("The birth date cannot be in the future."), code="future")
    age = age_on(born, on or today)
    if not MIN_AGE <= age <= MAX_AGE:
        raise ValidationError(
            _(
                "Check the birth date: Relais follows young people aged %(min)d to %(max)d "
                "(this date gives %(age)d)."
            )
            % {"min": MIN_AGE, "max": MAX_AGE, "age": age},
            code="age",
        )


def validate_plausible_moment(moment: datetime) -> None:
    """A date and time of casework: from 2000 to 2099 (catches typos such as 0143)."""
    if not EARLIEST_MOMENT <= moment < LATEST_MOMENT:
        raise ValidationError(
            _("Check the date: it must fall between the years 2000 and 2099."),
            code="implausible",
        )


def validate_plausible_day(day: date) -> None:
    """A day of casework (a period's bounds): from 2000 to 2099. The year 1 or 9999 would
    overflow when the period becomes moments in UTC, a 500 instead of a form error."""
    if not EARLIEST_MOMENT.date() <= day < LATEST_MOMENT.date():
        raise ValidationError(
            _("Check the date: it must fall between the years 2000 and 2099."),
            code="implausible",
        )


def validate_follow_up_moment(occurred_at: datetime) -> None:
    """When a follow-up took place: plausible, and not in the future (small tolerance)."""
    validate_plausible_moment(occurred_at)
    if occurred_at > timezone.now() + FOLLOW_UP_FUTURE_TOLERANCE:
        raise ValidationError(_("A follow-up cannot be logged in the future."), code="future")


def applied_on_default(*, status: str, applied_on: date | None) -> date | None:
    """A sent application is dated: today when no date was given."""
    if status != ApplicationStatus.DRAFT and applied_on is None:
        return timezone.localdate()
    return applied_on


def document_title_default(original_name: str, *, max_length: int) -> str:
    """The title of a document uploaded without one: its file name, shortened at a word
    boundary with an ellipsis when the name is longer than the title column (a derived
    default, not what the person typed; the name itself is kept whole elsewhere)."""
    if len(original_name) <= max_length:
        return original_name
    cut = original_name[: max_length - 1]
    boundary = max(cut.rfind(separator) for separator in " _-.")
    # A boundary in the first half would throw away most of the name: cut mid-word then.
    if boundary >= max_length // 2:
        cut = cut[:boundary]
    return cut.rstrip(" _-.") + "…"


def validate_delegation_end(ends_on: date) -> None:
    today = timezone.localdate()
    if ends_on <= today:
        raise ValidationError(_("The end date must be in the future."), code="past")
    if ends_on > today + timedelta(days=DELEGATION_MAX_DAYS):
        raise ValidationError(
            _("A delegation lasts %(days)d days at most: choose an earlier end date.")
            % {"days": DELEGATION_MAX_DAYS},
            code="too_long",
        )


def validate_reassign_count(count: int) -> None:
    if count > REASSIGN_MAX:
        raise ValidationError(
            _("Reassign at most %(max)d files at once; nothing was reassigned.")
            % {"max": REASSIGN_MAX},
            code="too_many",
        )


def enforce(
    field: str,
    validator: Callable[..., None],
    *args: Any,
    error: type[DomainError] = DomainError,
    **kwargs: Any,
) -> None:
    """Run `validator` inside a service: a refusal becomes `error` on `field`."""
    try:
        validator(*args, **kwargs)
    except ValidationError as refused:
        raise error(" ".join(refused.messages), field=field) from refused
