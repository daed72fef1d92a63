"""CSV exports of the lists (the format: core/csv_export.py).

The rows come from the same scoped selectors and filters as the pages: an export never
holds a row its reader could not open on screen.
"""

from django.utils.translation import gettext_lazy

from core.csv_export import CHUNK, Column, csv_lines, csv_response, neutralise

__all__ = ["CHUNK", "Column", "csv_lines", "csv_response", "neutralise"]


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
