"""Password rules on top of Django's (AUTH_PASSWORD_VALIDATORS): the passwords French
speakers pick most, and the user's own names."""

import re
import unicodedata
from pathlib import Path

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

# What people add around a common word to satisfy a length rule: "soleil12", "!azerty".
_PADDING = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
# Shorter names ("Léa", "Tom") are left to UserAttributeSimilarityValidator: as substrings
# they would refuse too many unrelated passwords.
MIN_NAME_LENGTH = 4


def _fold(text: str) -> str:
    """Lower case without accents: "Élodie" and "elodie" are the same word here."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class FrenchCommonPasswordValidator(CommonPasswordValidator):
    """Refuses a password from accounts/common_passwords_fr.txt (written for Relais, a few
    hundred entries), as is or padded with digits and symbols ("motdepasse1", "soleil12",
    "azerty123!"), accents and case ignored."""

    @cached_property
    def DEFAULT_PASSWORD_LIST_PATH(self):  # Django names it so.
        return Path(__file__).resolve().parent / "common_passwords_fr.txt"

    def validate(self, password: str, user=None) -> None:
        folded = _fold(password)
        candidates = {folded, _PADDING.sub("", folded), _NOT_ALPHANUMERIC.sub("", folded)}
        if candidates & self.passwords:
            raise ValidationError(self.get_error_message(), code="password_too_common")


class UserNameInPasswordValidator:
    """Refuses a password that contains the user's first name, last name, username or the
    part of their email before the @ (each word of four letters or more), accents and
    case ignored: "Dupont2024!" for Mme Dupont."""

    ATTRIBUTES = ("first_name", "last_name", "username", "email")

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        haystack = _NOT_ALPHANUMERIC.sub("", _fold(password))
        for attribute in self.ATTRIBUTES:
            value = getattr(user, attribute, "") or ""
            if attribute == "email":
                value = value.partition("@")[0]
            for word in _NOT_ALPHANUMERIC.split(_fold(value)):
                if len(word) >= MIN_NAME_LENGTH and word in haystack:
                    raise ValidationError(
                        _("This password contains your name or your username."),
                        code="password_contains_user_name",
                    )

    def get_help_text(self) -> str:
        return _("Your password can’t contain your name or your username.")
