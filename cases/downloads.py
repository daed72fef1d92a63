"""Streaming a private document: one place for the access log and the headers, used by
the web views and the API, staff side and referral side."""

from django.http import FileResponse, Http404

from accounts.models import User
from cases.enums import AccessAction
from cases.models import Document
from cases.services import access_log_record


def document_response(document: Document, *, user: User, detail: str = "") -> FileResponse:
    """The caller has already checked access through a selector."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    access_log_record(
        user=user,
        young_person=document.young_person,
        action=AccessAction.DOWNLOAD_DOCUMENT,
        detail=detail or document.title,
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
