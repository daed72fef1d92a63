"""May this user reach this referral, its shared file, this webhook endpoint? Each
function answers with the object or raises `core.exceptions.NotFound` — missing and
forbidden alike."""

from typing import Any

from accounts.models import Organization, User
from cases.models import Document
from core.access import as_pk
from core.exceptions import NotFound
from referrals import selectors
from referrals.enums import SharedSection
from referrals.models import Referral, WebhookEndpoint


def access_referral(user: User, pk: Any) -> Referral:
    """A referral the user's side sent (holding the file) or received. The record stays
    visible to both organisations after it closes."""
    referral = selectors.referrals_visible(user).filter(pk=as_pk(pk)).first()
    if referral is None:
        raise NotFound
    return referral


def access_shared_file(user: User, pk: Any) -> Referral:
    """A referral whose shared sections the user may read now: a grant holder at the
    destination while it is accepted."""
    referral = access_referral(user, pk)
    if not selectors.can_see_shared_file(user, referral):
        raise NotFound
    return referral


def access_shared_document(user: User, pk: Any, *, document_pk: Any) -> Document:
    """A document of a shared file, when the referral shares the documents section."""
    referral = access_shared_file(user, pk)
    if SharedSection.DOCUMENTS not in referral.shared_sections:
        raise NotFound
    document = (
        referral.young_person.documents.select_related("young_person")
        .filter(pk=as_pk(document_pk))
        .first()
    )
    if document is None:
        raise NotFound
    return document


def access_webhook_endpoint(organization: Organization, pk: Any) -> WebhookEndpoint:
    """An endpoint of `organization`; the caller has checked that the user administers it."""
    endpoint = selectors.webhook_endpoints(organization).filter(pk=as_pk(pk)).first()
    if endpoint is None:
        raise NotFound
    return endpoint
