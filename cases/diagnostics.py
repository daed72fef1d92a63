"""Pure rules that turn a digital diagnostic's answers into a level and suggestions."""

from typing import Protocol

from django.utils.translation import gettext_lazy as _

from cases.enums import AutonomyLevel


class Answers(Protocol):
    has_email: bool
    can_log_in_email: bool
    can_send_attachment: bool
    has_smartphone: bool
    has_computer: bool
    has_home_internet: bool
    has_mobile_data: bool
    can_create_online_account: bool
    can_scan_upload: bool


SKILLS = (
    "has_email",
    "can_log_in_email",
    "can_send_attachment",
    "can_create_online_account",
    "can_scan_upload",
)


def _skills(a: Answers) -> int:
    return sum(bool(getattr(a, name)) for name in SKILLS)


def lacks_equipment(a: Answers) -> bool:
    return not (a.has_smartphone or a.has_computer)


def lacks_connectivity(a: Answers) -> bool:
    return not (a.has_home_internet or a.has_mobile_data)


def lacks_basic_skills(a: Answers) -> bool:
    return _skills(a) <= 2


def autonomy_level(a: Answers) -> AutonomyLevel:
    skills = _skills(a)
    if (lacks_equipment(a) or lacks_connectivity(a)) and skills <= 1:
        return AutonomyLevel.NONE
    if skills <= 2:
        return AutonomyLevel.BEGINNER
    if skills < len(SKILLS) or lacks_equipment(a) or lacks_connectivity(a):
        return AutonomyLevel.INTERMEDIATE
    return AutonomyLevel.AUTONOMOUS


def suggested_step_codes(a: Answers) -> list[str]:
    """Catalogue codes of the steps that the answers call for, in pathway order."""
    codes = []
    if lacks_equipment(a):
        codes.append("get_device")
    if lacks_connectivity(a):
        codes.append("get_data_plan")
    if not a.has_email or not a.can_log_in_email:
        codes.append("create_email")
    if not a.can_send_attachment:
        codes.append("send_attachment")
    if not a.can_scan_upload:
        codes.append("upload_cv")
    if not a.can_create_online_account:
        codes.append("register_france_travail")
    return codes


def referral_reasons(a: Answers) -> list[str]:
    """Why an Emmaüs Connect referral would help; empty when it would not."""
    reasons = []
    if lacks_equipment(a):
        reasons.append(str(_("No smartphone or computer")))
    if lacks_connectivity(a):
        reasons.append(str(_("No internet connection or mobile data")))
    if lacks_basic_skills(a):
        reasons.append(str(_("Basic digital skills missing")))
    return reasons
