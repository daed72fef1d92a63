"""API views over young people's files: the same selectors and services as the web UI."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.selectors import casework_organizations
from cases import selectors, services
from cases.access import access_young_person
from cases.api import serializers as s
from cases.downloads import document_response
from cases.enums import AccessAction, StepStatus
from cases.filters import (
    ApplicationFilter,
    DiagnosticFilter,
    DocumentFilter,
    FollowUpFilter,
    StepFilter,
    YoungPersonApiFilter,
)
from cases.models import Application, DigitalDiagnostic, Document, FollowUp, Step
from core.api.exceptions import PreconditionFailed
from core.api.filters import LOOKUP_VALUE_REGEX
from core.api.idempotency import idempotent

ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    description='The file\'s version, e.g. "v3": send it back as If-Match to update.',
)


# Documents are streamed with the type their content was checked against.
DOCUMENT_RESPONSES = {
    (200, content_type): OpenApiTypes.BINARY
    for content_type in dict.fromkeys(kind.content_type for kind in services.ALLOWED_DOCUMENTS)
}


def _etag(young_person) -> str:
    return f'"v{young_person.version}"'


class YoungPersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Young people whose full file the caller holds (referent, supervisor, delegate)."""

    lookup_value_regex = LOOKUP_VALUE_REGEX
    filterset_class = YoungPersonApiFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.young_people_listed(self.request.user).order_by(
            "last_name", "first_name", "pk"
        )

    def get_serializer_class(self):
        if self.action == "create":
            return s.YoungPersonCreateSerializer
        if self.action in ("update", "partial_update"):
            return s.YoungPersonUpdateSerializer
        return s.YoungPersonSerializer

    @extend_schema(parameters=[ETAG_HEADER])
    def retrieve(self, request, *args, **kwargs):
        young_person = self.get_object()
        services.access_log_record(
            user=request.user,
            young_person=young_person,
            action=AccessAction.VIEW_FILE,
            detail="API",
        )
        response = Response(s.YoungPersonSerializer(young_person).data)
        response["ETag"] = _etag(young_person)
        return response

    @extend_schema(
        responses={
            201: s.YoungPersonSerializer,
            409: OpenApiResponse(
                description="A file with this name and birth date exists: send confirm_duplicate."
            ),
        }
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        if not casework_organizations(request.user):
            raise Http404
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # An explicit choice when the caller works in several organisations (serializer).
        organization = data.pop("organization")
        young_person = services.young_person_create(
            actor=request.user, organization=organization, **data
        )
        young_person = self.get_queryset().get(pk=young_person.pk)
        return Response(s.YoungPersonSerializer(young_person).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description='The ETag you read, e.g. "v3".',
            ),
            ETAG_HEADER,
        ],
        responses={
            200: s.YoungPersonSerializer,
            409: OpenApiResponse(description="Stale version"),
            412: OpenApiResponse(description="If-Match does not match"),
        },
    )
    def partial_update(self, request, *args, **kwargs):
        young_person = self.get_object()
        serializer = self.get_serializer(young_person, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if_match = request.headers.get("If-Match")
        if if_match is not None:
            if if_match.strip() != _etag(young_person):
                raise PreconditionFailed(
                    _("The file changed since you read it (current ETag: %(etag)s).")
                    % {"etag": _etag(young_person)}
                )
            version = young_person.version
        if version is None:
            version = young_person.version
        services.young_person_update(
            actor=request.user, young_person=young_person, version=version, **data
        )
        young_person = self.get_queryset().get(pk=young_person.pk)
        response = Response(s.YoungPersonSerializer(young_person).data)
        response["ETag"] = _etag(young_person)
        return response

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        responses=s.HistoryEntrySerializer(many=True),
        description=(
            "The file's history of changes, newest first: every creation, change and "
            "deletion of the young person and of their records (diagnostics, steps, "
            "follow-ups, applications, documents, referrals, delegations)."
        ),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, pk=None):
        young_person = access_young_person(request.user, pk)
        services.access_log_record(
            user=request.user,
            young_person=young_person,
            action=AccessAction.VIEW_FILE,
            detail="API: history",
        )
        page = self.paginate_queryset(selectors.history_for(young_person))
        return self.get_paginated_response(s.HistoryEntrySerializer(page, many=True).data)


class _Refused(Exception):
    """A create the view turns down with a 400 on one field (recorded for idempotent
    retries, like any answer the view gives)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class _FileRecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read and create one kind of child record of the files the caller reaches;
    subclasses say how the service creates it (`create_record`)."""

    lookup_value_regex = LOOKUP_VALUE_REGEX
    model = None
    related = ()

    def get_queryset(self):
        return (
            selectors.file_records(self.model, self.request.user)
            .select_related(*self.related)
            .order_by("-pk")
        )

    def create_record(self, data: dict):
        raise NotImplementedError

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            record = self.create_record(dict(serializer.validated_data))
        except _Refused as refused:
            return Response({refused.field: [refused.message]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)


class _EditableRecordViewSet(mixins.UpdateModelMixin, _FileRecordViewSet):
    """A record kind that can also be changed (PATCH; PUT answers as PATCH): subclasses
    name the serializer of the change and say how the service applies it."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    update_serializer_class = None

    def update_record(self, record, data: dict) -> None:
        raise NotImplementedError

    def partial_update(self, request, *args, **kwargs):
        record = self.get_object()
        serializer = self.update_serializer_class(record, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self.update_record(record, serializer.validated_data)
        record = self.get_queryset().get(pk=record.pk)
        return Response(self.serializer_class(record, context=self.get_serializer_context()).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


def _update_schema(request, response):
    """PATCH and PUT take the change's serializer and answer with the whole record."""
    schema = extend_schema(request=request, responses=response)
    return extend_schema_view(partial_update=schema, update=schema)


class DiagnosticViewSet(_FileRecordViewSet):
    model = DigitalDiagnostic
    related = ("performed_by",)
    serializer_class = s.DiagnosticSerializer
    filterset_class = DiagnosticFilter

    def create_record(self, data: dict) -> DigitalDiagnostic:
        young_person = data.pop("young_person")
        notes = data.pop("notes", "")
        return services.diagnostic_record(
            actor=self.request.user, young_person=young_person, answers=data, notes=notes
        )


@_update_schema(s.StepUpdateSerializer, s.StepSerializer)
class StepViewSet(_EditableRecordViewSet):
    model = Step
    related = ("step_type", "completed_by")
    serializer_class = s.StepSerializer
    filterset_class = StepFilter
    update_serializer_class = s.StepUpdateSerializer

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return s.StepUpdateSerializer
        return s.StepSerializer

    def create_record(self, data: dict) -> Step:
        young_person = data["young_person"]
        allowed = selectors.step_types_for(young_person.organization_id)
        if not allowed.filter(pk=data["step_type"].pk).exists():
            raise _Refused("step_type", "This step is not in the organisation's catalogue.")
        if young_person.steps.filter(step_type=data["step_type"]).exists():
            raise _Refused("step_type", "This young person already has this step.")
        (step,) = services.steps_add(
            actor=self.request.user,
            young_person=young_person,
            step_types=[data["step_type"]],
            due_date=data.get("due_date"),
        )
        if data.get("status", StepStatus.TODO) != StepStatus.TODO or data.get("evidence"):
            step = services.step_update(
                actor=self.request.user,
                step=step,
                status=data.get("status", StepStatus.TODO),
                due_date=step.due_date,
                evidence=data.get("evidence", ""),
            )
        return self.get_queryset().get(pk=step.pk)

    def update_record(self, record: Step, data: dict) -> None:
        services.step_update(
            actor=self.request.user,
            step=record,
            status=data.get("status", record.status),
            due_date=data.get("due_date", record.due_date),
            evidence=data.get("evidence", record.evidence),
        )


class FollowUpViewSet(_FileRecordViewSet):
    model = FollowUp
    related = ("author",)
    serializer_class = s.FollowUpSerializer
    filterset_class = FollowUpFilter

    def create_record(self, data: dict) -> FollowUp:
        # Optional, like the model's default: a follow-up logged as it happens.
        data.setdefault("occurred_at", timezone.now())
        return services.follow_up_create(actor=self.request.user, **data)


@_update_schema(s.ApplicationUpdateSerializer, s.ApplicationSerializer)
class ApplicationViewSet(_EditableRecordViewSet):
    model = Application
    related = ("cv",)
    serializer_class = s.ApplicationSerializer
    filterset_class = ApplicationFilter
    update_serializer_class = s.ApplicationUpdateSerializer

    def create_record(self, data: dict) -> Application:
        young_person = data.pop("young_person")
        return services.application_save(actor=self.request.user, young_person=young_person, **data)

    def update_record(self, record: Application, data: dict) -> None:
        services.application_save(
            actor=self.request.user,
            young_person=record.young_person,
            application=record,
            **data,
        )


class DocumentViewSet(_FileRecordViewSet):
    model = Document
    related = ("uploaded_by",)
    serializer_class = s.DocumentSerializer
    filterset_class = DocumentFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def create_record(self, data: dict) -> Document:
        return services.document_upload(
            actor=self.request.user,
            young_person=data["young_person"],
            kind=data["kind"],
            title=data.get("title", ""),
            upload=data["file"],
        )

    @extend_schema(responses=DOCUMENT_RESPONSES)
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = self.get_object()
        return document_response(document, user=request.user, detail=f"API: {document.title}")
