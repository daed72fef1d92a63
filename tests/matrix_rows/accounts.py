"""The organisation switcher. Posted empty, it answers every signed-in user alike with a
redirect and an error message (never a 500); anonymous users go to the login page.
What it accepts is tested in tests/accounts/test_current_organization.py."""

from tests.matrix import ACTORS, Row

ROWS: dict[str, Row] = {
    "accounts:switch_organization": Row(lambda w: {}, dict.fromkeys(ACTORS, 302), method="post"),
}
