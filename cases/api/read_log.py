"""The read log of the API: every answer that carries records of files — list, detail, and
the record a write answers with — writes one access-log entry per file concerned, in one
INSERT (README, "Read log")."""

from rest_framework.response import Response

from cases import services
from cases.enums import AccessAction, AccessChannel


class ReadLoggedMixin:
    """For a viewset over records that belong to a file (`young_person_id`), or over the
    files themselves (`read_of_files`). The list logs the files of the page it answers,
    not of every page."""

    read_action: str = AccessAction.VIEW_RECORDS
    read_detail = ""  # what was read, e.g. "follow-ups" (a lazy translation)
    read_of_files = False

    def read_log_detail(self, records) -> str:
        return str(self.read_detail)

    def read_log(self, records) -> None:
        services.access_log_record_many(
            user=self.request.user,
            young_people=[
                record.pk if self.read_of_files else record.young_person_id for record in records
            ],
            action=self.read_action,
            channel=AccessChannel.API,
            detail=self.read_log_detail(records),
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        records = list(queryset) if page is None else page
        self.read_log(records)
        data = self.get_serializer(records, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        record = self.get_object()
        self.read_log([record])
        return Response(self.get_serializer(record).data)
