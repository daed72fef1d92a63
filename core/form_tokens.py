"""One-time form tokens: a web form carries a random token, and the submission that saves
takes it; the same form posted again saves nothing. The API has `Idempotency-Key` for
the same purpose."""

import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from core.models import FormSubmission

FIELD_NAME = "form_token"
# A form left open longer than this and submitted twice is not caught; taken tokens are
# forgotten after it so that the table stays small.
KEEP_FOR = timedelta(days=2)


def posted(request: HttpRequest) -> uuid.UUID | None:
    """The token the form posted, or None (no token, or not one of ours)."""
    value = request.POST.get(FIELD_NAME, "") if request.method == "POST" else ""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def for_page(request: HttpRequest) -> str:
    """The token to render: the posted one when the form comes back with errors (it was
    not taken), a new one otherwise."""
    token = posted(request)
    return str(token or uuid.uuid4())


def take(*, user, token: uuid.UUID) -> bool:
    """Take `token` for this submission; False when a submission already took it. Call it
    in the transaction that saves, so that a failed save gives the token back.

    Two simultaneous submissions: the second insert waits for the first transaction and
    then fails on the unique constraint (PostgreSQL); SQLite runs them one after the
    other."""
    try:
        with transaction.atomic():
            FormSubmission.objects.create(user=user, token=token)
    except IntegrityError:
        return False
    FormSubmission.objects.filter(user=user, created_at__lt=timezone.now() - KEEP_FOR).delete()
    return True
