"""Thresholds, windows and sizes of the supervision pages."""

from cases import validators

# Thresholds of the "no follow-up for N days" columns.
STALE_DAYS = (30, 60, 90)
# Window of the "upcoming appointments" column.
APPOINTMENT_DAYS = 14

# Default funnel period: the last twelve months, today included.
DEFAULT_PERIOD_DAYS = 365
# A longer period would make the funnel an archive query; reports belong in exports.
MAX_PERIOD_DAYS = 5 * 366

DRILL_DOWN_PAGE_SIZE = 50
DELEGATIONS_PAGE_SIZE = 50
# The bulk reassignment's bound is a rule of the service (cases.validators); shown here.
REASSIGN_MAX = validators.REASSIGN_MAX
