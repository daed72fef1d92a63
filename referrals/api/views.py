"""Referrals for partner systems: the same selectors and services as the web UI."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.api.read_log import ReadLoggedMixin
from cases.api.views import DOCUMENT_RESPONSES
from cases.downloads import document_response
from cases.enums import AccessAction, AccessChannel
from cases.filters import UpdatedSinceFilter
from cases.selectors import young_people_full_access
from core.api.filters import LOOKUP_VALUE_REGEX
from core.api.idempotency import idempotent
from referrals import selectors, services, workflow
from referrals.access import access_shared_document, access_shared_file
from referrals.api import serializers as s
from referrals.enums import ReferralReason, ReferralStatus, SharedSection
from referrals.models import Referral


class ReferralApiFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices)
    reason = django_filters.ChoiceFilter(choices=ReferralReason.choices)
    direction = django_filters.ChoiceFilter(
        choices=[("received", "received"), ("sent", "sent")], method="filter_direction"
    )
    updated_since = UpdatedSinceFilter(field_name="updated_at")

    class Meta:
        model = Referral
        fields = ["status", "reason", "direction", "updated_since"]

    def filter_direction(self, queryset, name, value):
        user = self.request.user
        if value == "received":
            return queryset.filter(to_organization_id__in=selectors.destination_org_ids(user))
        return queryset.filter(young_person__in=young_people_full_access(user).values("pk"))


def _shared_payload(referral: Referral) -> dict:
    shared = selectors.shared_file(referral)
    yp, sections = shared.young_person, shared.sections

    def when(section, value):
        return value if section in sections else None

    diagnostic = shared.diagnostics[0] if shared.diagnostics else None
    return {
        "referral": referral,
        "sections": sorted(sections),
        "identity": when(
            SharedSection.IDENTITY,
            {
                "first_name": yp.first_name,
                "last_name": yp.last_name,
                "birth_date": yp.birth_date.isoformat(),
                "email": yp.email,
                "phone": yp.phone,
                "city": yp.city,
            },
        ),
        "diagnostic": when(
            SharedSection.DIAGNOSTIC,
            {
                "performed_at": diagnostic.performed_at.isoformat(),
                "autonomy_level": diagnostic.autonomy_level,
                **{name: getattr(diagnostic, name) for name in diagnostic.QUESTION_FIELDS},
            }
            if diagnostic
            else {},
        ),
        "steps": when(
            SharedSection.STEPS,
            [
                {
                    "step_type": st.step_type.code,
                    "label": st.step_type.label,
                    "status": st.status,
                    "due_date": st.due_date.isoformat() if st.due_date else None,
                }
                for st in shared.steps
            ],
        ),
        "follow_ups": when(
            SharedSection.FOLLOW_UPS,
            [
                {
                    "occurred_at": f.occurred_at.isoformat(),
                    "channel": f.channel,
                    "notes": f.notes,
                    "next_action": f.next_action,
                }
                for f in shared.follow_ups
            ],
        ),
        "applications": when(
            SharedSection.APPLICATIONS,
            [
                {
                    "employer": a.employer,
                    "position": a.position,
                    "status": a.status,
                    "applied_on": a.applied_on.isoformat() if a.applied_on else None,
                }
                for a in shared.applications
            ],
        ),
        "documents": when(
            SharedSection.DOCUMENTS,
            [
                {
                    "id": d.pk,
                    "kind": d.kind,
                    "title": d.title,
                    "content_type": d.content_type,
                    "size": d.size,
                }
                for d in shared.documents
            ],
        ),
    }


class ReferralViewSet(
    ReadLoggedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals the caller's organisation sent (for holders of the file) or received."""

    lookup_value_regex = LOOKUP_VALUE_REGEX
    serializer_class = s.ReferralSerializer
    filterset_class = ReferralApiFilter
    # A referral's reason, message, notes and outcome speak of the young person: every
    # answer carrying them is a read of the file it was made from (README, "Read log").
    read_action = AccessAction.VIEW_REFERRAL

    def read_log_detail(self, records) -> str:
        if self.action == "list":
            return _("list")
        return ", ".join(referral.reference for referral in records)

    def get_queryset(self):
        return selectors.waiting_first(selectors.referrals_visible(self.request.user))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request and self.request.user.is_authenticated:
            context["sender_file_ids"] = set(
                young_people_full_access(self.request.user).values_list("pk", flat=True)
            )
        return context

    def _answer(self, referral: Referral, code=status.HTTP_200_OK) -> Response:
        referral = self.get_queryset().get(pk=referral.pk)
        self.read_log([referral])
        return Response(self.get_serializer(referral).data, status=code)

    @extend_schema(request=s.ReferralCreateSerializer, responses={201: s.ReferralSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = s.ReferralCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        referral = services.referral_send(actor=request.user, **serializer.validated_data)
        return self._answer(referral, status.HTTP_201_CREATED)

    # One referral's history: a plain list, neither paginated nor filtered.
    @extend_schema(responses=s.ReferralEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        referral = self.get_object()
        self.read_log([referral])
        events = referral.events.select_related("actor")
        return Response(s.ReferralEventSerializer(events, many=True).data)

    @extend_schema(methods=["get"], responses=s.MessageSerializer(many=True))
    @extend_schema(
        methods=["post"], request=s.MessageSerializer, responses={201: s.MessageSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    @idempotent
    def messages(self, request, pk=None):
        referral = self.get_object()
        if request.method == "GET":
            self.read_log([referral])
            return Response(
                s.MessageSerializer(referral.messages.select_related("author"), many=True).data
            )
        serializer = s.MessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.referral_message_post(
            actor=request.user, referral=referral, body=serializer.validated_data["body"]
        )
        return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.SharedFileSerializer)
    @action(detail=True, methods=["get"], url_path="shared-file")
    def shared_file(self, request, pk=None):
        referral = access_shared_file(request.user, pk)
        services.record_shared_file_view(
            actor=request.user, referral=referral, channel=AccessChannel.API
        )
        return Response(s.SharedFileSerializer(_shared_payload(referral)).data)

    @extend_schema(
        responses=DOCUMENT_RESPONSES,
        parameters=[OpenApiParameter("document_id", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=rf"shared-file/documents/(?P<document_id>{LOOKUP_VALUE_REGEX})",
    )
    def shared_document(self, request, pk=None, document_id=None):
        document = access_shared_document(request.user, pk, document_pk=document_id)
        return document_response(document, user=request.user, channel=AccessChannel.API)


def _transition_endpoint(name: str):
    """POST …/referrals/<id>/<name>/ for an action of the workflow table: its serializer
    (serializers.TRANSITION_SERIALIZERS, a note otherwise), then its service."""
    serializer_class = s.transition_serializer(name)

    def endpoint(self, request, pk=None):
        referral = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.referral_act(
            actor=request.user, referral=referral, action=name, **serializer.validated_data
        )
        return self._answer(referral)

    endpoint.__name__ = name
    endpoint.__qualname__ = f"{ReferralViewSet.__name__}.{name}"
    return extend_schema(request=serializer_class, responses=s.ReferralSerializer)(
        action(detail=True, methods=["post"], url_name=name)(idempotent(endpoint))
    )


# accept/, decline/, cancel/, complete/: one endpoint per action of the workflow table.
for _name in workflow.ACTIONS:
    setattr(ReferralViewSet, _name, _transition_endpoint(_name))
