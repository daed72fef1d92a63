"""The pure rules that turn a digital diagnostic's answers into a level and suggestions."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from cases import diagnostics as rules
from cases.enums import AutonomyLevel
from cases.models import DigitalDiagnostic
from cases.selectors import default_step_types
from tests.factories import ALL_NO, ALL_YES

ALL_CODES_IN_PATHWAY_ORDER = [
    "get_device",
    "get_data_plan",
    "create_email",
    "send_attachment",
    "upload_cv",
    "register_france_travail",
]


def answers(base: dict[str, bool] | None = None, **overrides: bool) -> SimpleNamespace:
    values = dict(ALL_NO if base is None else base)
    unknown = set(overrides) - set(values)
    assert not unknown, f"not a diagnostic question: {unknown}"
    values.update(overrides)
    return SimpleNamespace(**values)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- autonomy level -------------------------------------------------------------------


def test_all_no_is_level_1():
    assert rules.autonomy_level(answers(ALL_NO)) == AutonomyLevel.NONE == 1


def test_all_yes_is_level_4():
    assert rules.autonomy_level(answers(ALL_YES)) == AutonomyLevel.AUTONOMOUS == 4


def test_equipment_and_connectivity_but_few_skills_is_level_2():
    a = answers(has_smartphone=True, has_mobile_data=True, has_email=True, can_log_in_email=True)
    assert rules.autonomy_level(a) == AutonomyLevel.BEGINNER == 2


def test_equipment_and_connectivity_without_any_skill_is_level_2_not_1():
    # Level 1 is for people who lack equipment or connectivity *and* skills.
    a = answers(has_computer=True, has_home_internet=True)
    assert rules.autonomy_level(a) == AutonomyLevel.BEGINNER


def test_most_skills_but_no_connectivity_is_level_3():
    a = answers(ALL_YES, has_home_internet=False, has_mobile_data=False)
    assert rules.autonomy_level(a) == AutonomyLevel.INTERMEDIATE == 3


def test_most_skills_but_no_equipment_is_level_3():
    a = answers(ALL_YES, has_smartphone=False, has_computer=False)
    assert rules.autonomy_level(a) == AutonomyLevel.INTERMEDIATE


def test_fully_equipped_with_one_skill_missing_is_level_3():
    a = answers(ALL_YES, can_scan_upload=False)
    assert rules.autonomy_level(a) == AutonomyLevel.INTERMEDIATE


@pytest.mark.parametrize(
    ("skills", "expected"),
    [
        ({}, AutonomyLevel.NONE),
        ({"has_email": True}, AutonomyLevel.NONE),
        ({"has_email": True, "can_log_in_email": True}, AutonomyLevel.BEGINNER),
        (
            {"has_email": True, "can_log_in_email": True, "can_send_attachment": True},
            AutonomyLevel.INTERMEDIATE,
        ),
    ],
)
def test_without_equipment_the_level_follows_the_skills(skills, expected):
    assert rules.autonomy_level(answers(**skills)) == expected


def test_one_device_and_one_connection_are_enough():
    a = answers(ALL_YES, has_computer=False, has_home_internet=False)
    assert not rules.lacks_equipment(a)
    assert not rules.lacks_connectivity(a)
    assert rules.autonomy_level(a) == AutonomyLevel.AUTONOMOUS


# --- suggested steps ---------------------------------------------------------------------


def test_all_no_suggests_every_step_in_pathway_order():
    assert rules.suggested_step_codes(answers(ALL_NO)) == ALL_CODES_IN_PATHWAY_ORDER


def test_all_yes_suggests_nothing():
    assert rules.suggested_step_codes(answers(ALL_YES)) == []


def test_an_email_they_cannot_log_in_to_calls_for_create_email():
    a = answers(ALL_YES, can_log_in_email=False)
    assert rules.suggested_step_codes(a) == ["create_email"]


def test_each_missing_answer_suggests_its_step():
    assert rules.suggested_step_codes(answers(ALL_YES, has_smartphone=False)) == []
    assert rules.suggested_step_codes(
        answers(ALL_YES, has_smartphone=False, has_computer=False)
    ) == ["get_device"]
    assert rules.suggested_step_codes(
        answers(ALL_YES, has_home_internet=False, has_mobile_data=False)
    ) == ["get_data_plan"]
    assert rules.suggested_step_codes(answers(ALL_YES, can_send_attachment=False)) == [
        "send_attachment"
    ]
    assert rules.suggested_step_codes(answers(ALL_YES, can_scan_upload=False)) == ["upload_cv"]
    assert rules.suggested_step_codes(answers(ALL_YES, can_create_online_account=False)) == [
        "register_france_travail"
    ]


@pytest.mark.django_db
def test_every_suggested_code_exists_in_the_default_catalogue():
    codes = set(default_step_types().values_list("code", flat=True))
    assert set(ALL_CODES_IN_PATHWAY_ORDER) <= codes


# --- referral reasons ---------------------------------------------------------------------


def test_all_no_gives_every_referral_reason():
    assert rules.referral_reasons(answers(ALL_NO)) == [
        "No smartphone or computer",
        "No internet connection or mobile data",
        "Basic digital skills missing",
    ]


def test_all_yes_needs_no_referral():
    assert rules.referral_reasons(answers(ALL_YES)) == []


def test_equipped_but_unskilled_gives_only_the_skills_reason():
    a = answers(has_smartphone=True, has_mobile_data=True, has_email=True)
    assert rules.referral_reasons(a) == ["Basic digital skills missing"]


def test_skilled_without_connectivity_gives_only_the_connectivity_reason():
    a = answers(ALL_YES, has_home_internet=False, has_mobile_data=False)
    assert rules.referral_reasons(a) == ["No internet connection or mobile data"]


def test_three_skills_are_not_a_lack_of_basic_skills():
    a = answers(
        ALL_YES, can_send_attachment=False, can_create_online_account=False
    )  # 3 of 5 skills
    assert not rules.lacks_basic_skills(a)
    assert rules.referral_reasons(a) == []


def test_referral_reasons_are_plain_strings_in_the_active_language():
    with translation.override("fr"):
        reasons = rules.referral_reasons(answers(ALL_NO))
    # Evaluated now (not lazy), so they can be stored or serialised as they are.
    assert all(type(reason) is str for reason in reasons)
    assert reasons == [
        "Ni smartphone ni ordinateur",
        "Ni connexion internet ni données mobiles",
        "Compétences numériques de base à acquérir",
    ], "French catalogue not compiled? make compilemessages"


def test_model_properties_use_the_same_rules():
    diagnostic = DigitalDiagnostic(**ALL_NO)
    assert diagnostic.lacks_equipment
    assert diagnostic.lacks_connectivity
    assert diagnostic.lacks_basic_skills
    diagnostic = DigitalDiagnostic(**ALL_YES)
    assert not (
        diagnostic.lacks_equipment or diagnostic.lacks_connectivity or diagnostic.lacks_basic_skills
    )
