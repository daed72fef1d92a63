from django.db import models
from django.utils.translation import gettext_lazy as _


class YoungPersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed")


class Situation(models.TextChoices):
    NEET = "neet", _("Neither in work nor in training")
    JOB_SEEKING = "job_seeking", _("Looking for a job")
    TRAINING = "training", _("In training")
    EMPLOYED = "employed", _("In work")
    OTHER = "other", _("Other")


class StepStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


OPEN_STEP_STATUSES = (StepStatus.TODO, StepStatus.IN_PROGRESS)

# The guardian permission a delegation grants (on the direct-FK model of cases.models).
DELEGATION_CODENAME = "change_youngperson"


class StepCategory(models.TextChoices):
    DIGITAL = "digital", _("Digital skills")
    JOB_SEARCH = "job_search", _("Job search")
    EQUIPMENT = "equipment", _("Equipment and connectivity")
    OTHER = "other", _("Other")


class FollowUpChannel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video call")
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class ApplicationSource(models.TextChoices):
    FRANCE_TRAVAIL = "france_travail", _("France Travail")
    JOB_BOARD = "job_board", _("Job board")
    COMPANY_SITE = "company_site", _("Company website")
    SPONTANEOUS = "spontaneous", _("Spontaneous application")
    NETWORK = "network", _("Personal network")
    OTHER = "other", _("Other")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    INTERVIEW = "interview", _("Interview")
    HIRED = "hired", _("Hired")
    REJECTED = "rejected", _("Rejected")


class DocumentKind(models.TextChoices):
    CV = "cv", _("CV")
    COVER_LETTER = "cover_letter", _("Cover letter")
    ID = "id", _("Identity document")
    OTHER = "other", _("Other")


class AutonomyLevel(models.IntegerChoices):
    """Derived from a diagnostic's answers; higher is more autonomous."""

    NONE = 1, _("1 - Needs everything (equipment and skills)")
    BEGINNER = 2, _("2 - Beginner: needs guided practice")
    INTERMEDIATE = 3, _("3 - Intermediate: a few gaps to close")
    AUTONOMOUS = 4, _("4 - Autonomous online")


class AccessLevel(models.TextChoices):
    """What a user may see of one young person's file."""

    FULL = "full", _("Full file")
    DIRECTORY = "directory", _("Directory card")
    NONE = "none", _("Nothing")


class AccessAction(models.TextChoices):
    """What an access-log entry says was read (or done) — the read log's "what"."""

    VIEW_FILE = "view_file", _("Viewed the file")
    VIEW_CARD = "view_card", _("Viewed the directory card")
    VIEW_RECORDS = "view_records", _("Viewed records of the file")
    DOWNLOAD_DOCUMENT = "download_document", _("Downloaded a document")
    VIEW_SHARED = "view_shared", _("Viewed the sections shared by a referral")
    VIEW_REFERRAL = "view_referral", _("Viewed a referral")
    EXPORTED = "exported", _("Included in an export")
    REASSIGNED = "reassigned", _("File reassigned")
    DELEGATION_GRANTED = "delegation_granted", _("Access delegated")
    DELEGATION_REVOKED = "delegation_revoked", _("Delegation revoked")


class AccessChannel(models.TextChoices):
    """How the content left Relais: a page, an API answer, or a file (PDF, CSV)."""

    WEB = "web", _("Web page")
    API = "api", _("API")
    EXPORT = "export", _("Export (PDF, CSV)")
