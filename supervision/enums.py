"""What the supervisor dashboard counts, as data: the dashboard's columns, the drill-down
lists behind them and the funnel's stages share these names."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases import validators

# Thresholds of the "no follow-up for N days" columns.
STALE_DAYS = (30, 60, 90)
# Window of the "upcoming appointments" column.
APPOINTMENT_DAYS = 14


class Metric(models.TextChoices):
    """A list of young people behind a figure. Every metric but HELD, STEP_DONE and HIRED
    counts active files only."""

    ACTIVE = "active", _("Active files")
    NO_FOLLOW_UP_30 = "no_follow_up_30", _("Active files with no follow-up for 30 days")
    NO_FOLLOW_UP_60 = "no_follow_up_60", _("Active files with no follow-up for 60 days")
    NO_FOLLOW_UP_90 = "no_follow_up_90", _("Active files with no follow-up for 90 days")
    OVERDUE_STEPS = "overdue_steps", _("Active files with overdue steps")
    APPOINTMENTS = "appointments", _("Active files with an appointment in the next 14 days")
    HELD = "held", _("Files still open (active or paused)")
    STEP_DONE = "step_done", _("Young people who completed a step in the period")
    HIRED = "hired", _("Young people hired in the period")


NO_FOLLOW_UP_METRICS = {
    Metric.NO_FOLLOW_UP_30: 30,
    Metric.NO_FOLLOW_UP_60: 60,
    Metric.NO_FOLLOW_UP_90: 90,
}


class ReferralDirection(models.TextChoices):
    SENT = "sent", _("Referrals sent by the organisation, waiting for an answer")
    RECEIVED = "received", _("Referrals received by the organisation, waiting for an answer")


class FunnelStage(models.TextChoices):
    """The key steps of the organisation's funnel, in pathway order. The first four are
    step type codes of the default catalogue; HIRED comes from applications."""

    CREATE_EMAIL = "create_email", _("Email address created")
    SEND_ATTACHMENT = "send_attachment", _("Email with an attachment sent")
    UPLOAD_CV = "upload_cv", _("CV uploaded as a file")
    FIRST_ONLINE_APPLICATION = "first_online_application", _("First online application sent")
    HIRED = "hired", _("Hired")


# The dashboard table's columns, in order, with their headers. Each key is a Metric of
# the young people's list, except REFERRALS_WAITING whose list is the referrals page.
REFERRALS_WAITING = "referrals_waiting"
DASHBOARD_COLUMNS = (
    (Metric.ACTIVE, _("Active files")),
    (Metric.NO_FOLLOW_UP_30, _("No follow-up for 30 days")),
    (Metric.NO_FOLLOW_UP_60, _("No follow-up for 60 days")),
    (Metric.NO_FOLLOW_UP_90, _("No follow-up for 90 days")),
    (Metric.OVERDUE_STEPS, _("Overdue steps")),
    (Metric.APPOINTMENTS, _("Appointments in the next 14 days")),
    (REFERRALS_WAITING, _("Referrals waiting for an answer")),
)

FUNNEL_STEP_CODES = (
    FunnelStage.CREATE_EMAIL,
    FunnelStage.SEND_ATTACHMENT,
    FunnelStage.UPLOAD_CV,
    FunnelStage.FIRST_ONLINE_APPLICATION,
)

# Default funnel period: the last twelve months, today included.
DEFAULT_PERIOD_DAYS = 365
# A longer period would make the funnel an archive query; reports belong in exports.
MAX_PERIOD_DAYS = 5 * 366

DRILL_DOWN_PAGE_SIZE = 50
DELEGATIONS_PAGE_SIZE = 50
# The bulk reassignment's bound is a rule of the service (cases.validators); shown here.
REASSIGN_MAX = validators.REASSIGN_MAX
