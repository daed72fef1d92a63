"""API views over young people's files: the same selectors and services as the web UI."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.selectors import casework_organizations
from cases import selectors, services
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


class _FileRecordViewSet(viewsets.GenericViewSet):
    lookup_value_regex = LOOKUP_VALUE_REGEX
    model = None
    related = ()

    def get_queryset(self):
        return (
            selectors.file_records(self.model, self.request.user)
            .select_related(*self.related)
            .order_by("-pk")
        )


class DiagnosticViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, _FileRecordViewSet
):
    model = DigitalDiagnostic
    related = ("performed_by",)
    serializer_class = s.DiagnosticSerializer
    filterset_class = DiagnosticFilter

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        young_person = data.pop("young_person")
        notes = data.pop("notes", "")
        diagnostic = services.diagnostic_record(
            actor=request.user, young_person=young_person, answers=data, notes=notes
        )
        return Response(self.get_serializer(diagnostic).data, status=status.HTTP_201_CREATED)


class StepViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    _FileRecordViewSet,
):
    model = Step
    related = ("step_type", "completed_by")
    serializer_class = s.StepSerializer
    filterset_class = StepFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return s.StepUpdateSerializer
        return s.StepSerializer

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        young_person = data["young_person"]
        allowed = selectors.step_types_for(young_person.organization_id)
        if not allowed.filter(pk=data["step_type"].pk).exists():
            return Response(
                {"step_type": ["This step is not in the organisation's catalogue."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if young_person.steps.filter(step_type=data["step_type"]).exists():
            return Response(
                {"step_type": ["This young person already has this step."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        (step,) = services.steps_add(
            actor=request.user,
            young_person=young_person,
            step_types=[data["step_type"]],
            due_date=data.get("due_date"),
        )
        if data.get("status", StepStatus.TODO) != StepStatus.TODO or data.get("evidence"):
            step = services.step_update(
                actor=request.user,
                step=step,
                status=data.get("status", StepStatus.TODO),
                due_date=step.due_date,
                evidence=data.get("evidence", ""),
            )
        step = self.get_queryset().get(pk=step.pk)
        return Response(
            s.StepSerializer(step, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=s.StepUpdateSerializer, responses=s.StepSerializer)
    def partial_update(self, request, *args, **kwargs):
        step = self.get_object()
        serializer = s.StepUpdateSerializer(step, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.step_update(
            actor=request.user,
            step=step,
            status=data.get("status", step.status),
            due_date=data.get("due_date", step.due_date),
            evidence=data.get("evidence", step.evidence),
        )
        step = self.get_queryset().get(pk=step.pk)
        return Response(s.StepSerializer(step, context=self.get_serializer_context()).data)

    @extend_schema(request=s.StepUpdateSerializer, responses=s.StepSerializer)
    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


class FollowUpViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, _FileRecordViewSet
):
    model = FollowUp
    related = ("author",)
    serializer_class = s.FollowUpSerializer
    filterset_class = FollowUpFilter

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # Optional, like the model's default: a follow-up logged as it happens.
        data.setdefault("occurred_at", timezone.now())
        follow_up = services.follow_up_create(actor=request.user, **data)
        return Response(self.get_serializer(follow_up).data, status=status.HTTP_201_CREATED)


class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    _FileRecordViewSet,
):
    model = Application
    related = ("cv",)
    serializer_class = s.ApplicationSerializer
    filterset_class = ApplicationFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        young_person = data.pop("young_person")
        application = services.application_save(
            actor=request.user, young_person=young_person, **data
        )
        return Response(self.get_serializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ApplicationUpdateSerializer, responses=s.ApplicationSerializer)
    def partial_update(self, request, *args, **kwargs):
        application = self.get_object()
        serializer = s.ApplicationUpdateSerializer(application, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.application_save(
            actor=request.user,
            young_person=application.young_person,
            application=application,
            **serializer.validated_data,
        )
        application = self.get_queryset().get(pk=application.pk)
        return Response(self.get_serializer(application).data)

    @extend_schema(request=s.ApplicationUpdateSerializer, responses=s.ApplicationSerializer)
    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


class DocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, _FileRecordViewSet
):
    model = Document
    related = ("uploaded_by",)
    serializer_class = s.DocumentSerializer
    filterset_class = DocumentFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        document = services.document_upload(
            actor=request.user,
            young_person=data["young_person"],
            kind=data["kind"],
            title=data.get("title", ""),
            upload=data["file"],
        )
        return Response(self.get_serializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=DOCUMENT_RESPONSES)
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = self.get_object()
        return document_response(document, user=request.user, detail=f"API: {document.title}")
