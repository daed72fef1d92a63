from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent, waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


class Side(models.TextChoices):
    """Who may make a transition."""

    SENDER = "sender", _("sending organisation")
    DESTINATION = "destination", _("receiving organisation")
    SYSTEM = "system", _("Relais (automatic)")


class ReferralReason(models.TextChoices):
    EQUIPMENT = "equipment", _("Equipment (phone, computer)")
    CONNECTIVITY = "connectivity", _("Connectivity (data plan, solidarity SIM)")
    DIGITAL_SKILLS = "digital_skills", _("Basic digital skills")
    TRAINING = "training", _("Training")
    SOCIAL = "social", _("Social support")
    OTHER = "other", _("Other")


class SharedSection(models.TextChoices):
    IDENTITY = "identity", _("Identity and contact")
    DIAGNOSTIC = "diagnostic", _("Digital diagnostic")
    STEPS = "steps", _("Steps")
    FOLLOW_UPS = "follow_ups", _("Follow-up notes")
    APPLICATIONS = "applications", _("Applications")
    DOCUMENTS = "documents", _("Documents")


class ConsentMethod(models.TextChoices):
    ORAL = "oral", _("Oral, during an interview")
    WRITTEN = "written", _("Written (email, message)")
    SIGNED = "signed", _("Signed form")


class DeclineReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", _("Outside our scope")
    NO_CAPACITY = "no_capacity", _("No capacity at the moment")
    ALREADY_FOLLOWED = "already_followed", _("Already followed elsewhere")
    UNREACHABLE = "unreachable", _("Could not reach the young person")
    OTHER = "other", _("Other")


class OutcomeCode(models.TextChoices):
    EQUIPMENT_PROVIDED = "equipment_provided", _("Equipment provided")
    SIM_PROVIDED = "sim_provided", _("Solidarity SIM or data plan provided")
    TRAINING_COMPLETED = "training_completed", _("Training completed")
    SKILLS_WORKSHOP = "skills_workshop", _("Attended digital skills workshops")
    DID_NOT_COME = "did_not_come", _("Did not come")
    OTHER = "other", _("Other")
