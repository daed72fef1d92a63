"""Private documents: checked on the way in (size, extension, magic bytes), never served
publicly."""

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from cases import validators
from cases.models import (
    Application,
    Document,
    YoungPerson,
)
from cases.services._common import require_full_access, require_record, touch
from core.exceptions import (
    InvalidDocument,
)
from history.services import history_record_updates


@dataclass(frozen=True)
class FileKind:
    extensions: tuple[str, ...]
    magic: tuple[bytes, ...]
    content_type: str


ALLOWED_DOCUMENTS = (
    FileKind((".pdf",), (b"%PDF-",), "application/pdf"),
    FileKind(
        (".docx",),
        (b"PK\x03\x04",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    FileKind((".odt",), (b"PK\x03\x04",), "application/vnd.oasis.opendocument.text"),
    FileKind((".png",), (b"\x89PNG\r\n\x1a\n",), "image/png"),
    FileKind((".jpg", ".jpeg"), (b"\xff\xd8\xff",), "image/jpeg"),
)


def _check_document(upload: UploadedFile) -> FileKind:
    name = (upload.name or "").lower()
    if upload.size == 0:
        raise InvalidDocument(_("The file is empty."))
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise InvalidDocument(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {
                "size": f"{upload.size / 1_048_576:.1f}",
                "limit": f"{settings.DOCUMENT_MAX_BYTES / 1_048_576:.0f}",
            }
        )
    kind = next((k for k in ALLOWED_DOCUMENTS if name.endswith(k.extensions)), None)
    if kind is None:
        raise InvalidDocument(
            _(
                "This type of file is not accepted. Accepted: PDF, Word (.docx), "
                "OpenDocument (.odt), PNG or JPEG."
            )
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(kind.magic):
        raise InvalidDocument(
            _("The file's content does not match its extension; it may be damaged.")
        )
    return kind


@transaction.atomic
def document_upload(
    *, actor: User, young_person: YoungPerson, kind: str, title: str, upload: UploadedFile
) -> Document:
    require_full_access(actor, young_person)
    file_kind = _check_document(upload)
    original_name = upload.name or "document"
    name_limit = Document._meta.get_field("original_name").max_length
    if len(original_name) > name_limit:
        # The name is what the person will recognise: refused, never silently cut.
        raise InvalidDocument(
            _("The file name is too long: rename the file (%(limit)d characters at most).")
            % {"limit": name_limit}
        )
    title = title.strip() or validators.document_title_default(
        original_name, max_length=Document._meta.get_field("title").max_length
    )
    document = Document(
        young_person=young_person,
        kind=kind,
        title=title,
        original_name=original_name,
        content_type=file_kind.content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    document.full_clean(exclude=["file"])
    document.file.save("upload", upload, save=False)
    # The row must never point at a missing file; a row that fails to save must not
    # leave a stray file behind.
    stored_name = document.file.name
    try:
        document.save()
    except Exception:
        document.file.storage.delete(stored_name)
        raise
    touch(young_person.pk)
    return document


@transaction.atomic
def document_delete(*, actor: User, document: Document) -> None:
    require_record(actor, Document, document)
    storage, name = document.file.storage, document.file.name
    young_person_id = document.young_person_id
    # The applications that sent it lose their CV by ON DELETE SET NULL, which sends no
    # signal: their history says so, with the document's title.
    sent_with = list(Application.objects.filter(cv=document).order_by("pk"))
    document_pk = document.pk
    document.delete()
    history_record_updates(
        [
            (application, {"cv": [document_pk, None]}, {"cv": [document.title, None]})
            for application in sent_with
        ]
    )
    transaction.on_commit(lambda: storage.delete(name))
    touch(young_person_id)
