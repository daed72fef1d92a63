"""Thresholds, windows and sizes of the supervision pages."""

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
# A bulk reassignment writes one access-log row per file: bounded, so the transaction is.
REASSIGN_MAX = 2000
