"""The security log of an organisation: its administrators only (the page and the CSV).
What it shows is tested in tests/accounts/test_security_log.py."""

from tests.matrix import Row, only


def _org(w) -> dict:
    return {"org_pk": w.young_person.organization_id}


ROWS: dict[str, Row] = {
    "accounts:security_log": Row(_org, only({"org_admin"})),
    "accounts:security_log_export": Row(_org, only({"org_admin"})),
}
