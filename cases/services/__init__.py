"""Writes about young people. Views, API, admin and commands call these; nothing else
calls `.save()` on a cases model.

Every service that writes a file's record checks its `actor` itself, with the same rule
as every read (`cases.querysets`): whatever calls it — a web
view, the API, the CSV import, a command — an actor who may not write the file gets
`NotFound`, exactly as if the file did not exist. The rules on values live in
`cases.validators`, shared with the forms, the serializers and the import.
"""

from cases.services.access_log import access_log_record, access_log_record_many
from cases.services.catalogue import step_type_create, step_type_set_active
from cases.services.delegations import delegation_grant, delegation_revoke
from cases.services.documents import ALLOWED_DOCUMENTS, FileKind, document_delete, document_upload
from cases.services.records import (
    APPLICATION_EDITABLE,
    FOLLOW_UP_WRITTEN,
    application_save,
    diagnostic_record,
    follow_up_create,
    step_update,
    steps_add,
)
from cases.services.young_people import (
    YOUNG_PERSON_EDITABLE,
    YOUNG_PERSON_IDENTITY,
    young_people_reassign,
    young_person_create,
    young_person_update,
)

__all__ = [
    "ALLOWED_DOCUMENTS",
    "APPLICATION_EDITABLE",
    "FOLLOW_UP_WRITTEN",
    "YOUNG_PERSON_EDITABLE",
    "YOUNG_PERSON_IDENTITY",
    "FileKind",
    "access_log_record",
    "access_log_record_many",
    "application_save",
    "delegation_grant",
    "delegation_revoke",
    "diagnostic_record",
    "document_delete",
    "document_upload",
    "follow_up_create",
    "step_type_create",
    "step_type_set_active",
    "step_update",
    "steps_add",
    "young_people_reassign",
    "young_person_create",
    "young_person_update",
]
