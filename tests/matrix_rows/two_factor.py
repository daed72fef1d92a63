"""Two-factor authentication pages: every signed-in user has their own (they act on the
signed-in account only, never on an id from the URL); resetting a member's second factor
is an organisation admin's. What they do is tested in tests/accounts/test_two_factor.py."""

from tests.matrix import ACTORS, LOGGED_IN, Row, only

OWN = {actor: (200 if actor in LOGGED_IN else 302) for actor in ACTORS}
REDIRECTS = dict.fromkeys(ACTORS, 302)

ROWS: dict[str, Row] = {
    "accounts:two_factor": Row(lambda w: {}, OWN),
    "accounts:two_factor_setup": Row(lambda w: {}, OWN),
    # Verified sessions go on to `next`; sessions without 2FA go to the set-up page.
    "accounts:two_factor_verify": Row(lambda w: {}, REDIRECTS),
    "accounts:two_factor_recovery_codes": Row(lambda w: {}, REDIRECTS, method="post"),
    # Nothing just generated in these sessions: back to the two-factor page.
    "accounts:two_factor_recovery_codes_new": Row(lambda w: {}, REDIRECTS),
    "accounts:two_factor_disable": Row(lambda w: {}, REDIRECTS, method="post"),
    "accounts:member_reset_two_factor": Row(
        lambda w: {
            "org_pk": w.young_person.organization_id,
            "pk": w.users["referent"].memberships.get().pk,
        },
        only({"org_admin"}, 302),
        method="post",
    ),
}
