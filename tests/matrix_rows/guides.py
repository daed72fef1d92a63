"""Public guides (/infos/): the public pages answer 200 to everyone, signed in or not;
the editors' pages (/infos/gerer/) only to the admins of the organisation that owns the
guide (any organisation admin may write guides for their own organisation) and to the
platform superuser, who edits every guide. Staff accounts with the guide permission are
tested in tests/guides/test_editing.py."""

from guides.models import Guide
from tests.matrix import ACTORS, Row, only

PUBLIC = dict.fromkeys(ACTORS, 200)
ADMINS = {"org_admin", "other_admin", "superuser"}
OWNERS = {"org_admin", "superuser"}
SLUG = "guide-de-la-matrice"


def _guide(w) -> Guide:
    """A published guide of the world's organisation, written by its admin."""
    from tests.guides.helpers import make_guide

    guide = Guide.objects.filter(slug=SLUG).first()
    if guide is None:
        guide = make_guide(
            actor=w.users["org_admin"], organization=w.young_person.organization, slug=SLUG
        )
    return guide


def pk(w) -> dict:
    return {"pk": _guide(w).pk}


ROWS: dict[str, Row] = {
    "guides:index": Row(lambda w: {}, PUBLIC),
    "guides:topic": Row(lambda w: {"topic": "numerique"}, PUBLIC),
    "guides:detail": Row(lambda w: {"slug": _guide(w).slug}, PUBLIC),
    "guides:manage": Row(lambda w: {}, only(ADMINS)),
    "guides:create": Row(lambda w: {}, only(ADMINS)),
    "guides:edit": Row(pk, only(OWNERS)),
    # Already published: publishing again is refused with a message.
    "guides:publish": Row(pk, only(OWNERS, 302), method="post"),
    "guides:unpublish": Row(pk, only(OWNERS, 302), method="post"),
    "guides:history": Row(pk, only(OWNERS)),
    "guides:revision": Row(lambda w: pk(w) | {"number": 1}, only(OWNERS)),
}
