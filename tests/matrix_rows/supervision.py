"""Supervision pages: only the supervisors of the organisation in the URL; the supervisor
of another organisation gets a 404 for this one (and is redirected to their own by
/supervision/)."""

from tests.matrix import Row, only


def org(w) -> dict:
    return {"org_pk": w.young_person.organization_id}


ROWS: dict[str, Row] = {
    "supervision:home": Row(lambda w: {}, only({"supervisor", "other_supervisor"}, 302)),
    "supervision:dashboard": Row(org, only({"supervisor"})),
    "supervision:young_people": Row(org, only({"supervisor"})),
    # An empty form: the supervisor gets the list back with its errors.
    "supervision:reassign": Row(org, only({"supervisor"}, 400), method="post"),
    "supervision:referrals": Row(org, only({"supervisor"})),
    "supervision:delegations": Row(org, only({"supervisor"})),
}
