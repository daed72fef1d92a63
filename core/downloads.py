"""Streaming a private file: the headers every download of personal data carries."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def private_file_response(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """An attachment that no cache keeps; 404 when the stored file is gone.

    The caller has already checked access (and logged it)."""
    try:
        handle = file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
