"""Streaming a private document: one place for the access log, used by the web views and
the API, staff side and referral side."""

from django.http import FileResponse

from accounts.models import User
from cases.enums import AccessAction, AccessChannel
from cases.models import Document
from cases.services import access_log_record
from core.downloads import private_file_response


def document_response(
    document: Document, *, user: User, channel: str = AccessChannel.WEB
) -> FileResponse:
    """The caller has already checked access through an access function."""
    response = private_file_response(
        document.file, filename=document.original_name, content_type=document.content_type
    )
    access_log_record(
        user=user,
        young_person=document.young_person,
        action=AccessAction.DOWNLOAD_DOCUMENT,
        channel=channel,
        detail=document.title,
    )
    return response
