"""The organisation switcher. Posted empty, it answers every signed-in user alike with a
redirect and an error message (never a 500); anonymous users go to the login page.
What it accepts is tested in tests/accounts/test_current_organization.py.

"Mes accès API": every signed-in user has the page (their own tokens); a token is revoked
by its owner only (tests/accounts/test_api_tokens.py)."""

from tests.matrix import ACTORS, LOGGED_IN, Row, only


def _referent_token(w) -> dict:
    from accounts.models import ApiToken
    from tests.factories import api_token

    api_token(w.users["referent"], label="Logiciel")
    return {"pk": ApiToken.objects.get(user=w.users["referent"]).pk}


ROWS: dict[str, Row] = {
    "accounts:switch_organization": Row(lambda w: {}, dict.fromkeys(ACTORS, 302), method="post"),
    "accounts:api_tokens": Row(lambda w: {}, only(LOGGED_IN)),
    "accounts:api_token_revoke": Row(_referent_token, only({"referent"}, 302), method="post"),
}
