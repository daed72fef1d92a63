from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization
from accounts.selectors import casework_organizations
from cases import validators
from cases.models import (
    Application,
    DigitalDiagnostic,
    Document,
    FollowUp,
    Step,
    YoungPerson,
)
from cases.selectors import file_records, step_types_all, step_types_for, young_people_full_access
from cases.services import (
    APPLICATION_EDITABLE,
    FOLLOW_UP_WRITTEN,
    YOUNG_PERSON_EDITABLE,
    YOUNG_PERSON_IDENTITY,
)
from core.access import MAX_ID
from history import display as history_display
from history.enums import Action, Channel


@extend_schema_field(OpenApiTypes.INT)
class ScopedYoungPersonField(serializers.PrimaryKeyRelatedField):
    """A young person the caller has the full file of; anything else is 'does not exist'."""

    def get_queryset(self):
        return young_people_full_access(self.context["request"].user)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class YoungPersonSerializer(serializers.ModelSerializer):
    referent = UserRefSerializer(read_only=True)
    organization = serializers.PrimaryKeyRelatedField(read_only=True)
    last_follow_up_at = serializers.DateTimeField(read_only=True, allow_null=True)
    next_appointment_at = serializers.DateTimeField(read_only=True, allow_null=True)
    overdue_steps = serializers.IntegerField(read_only=True)

    class Meta:
        model = YoungPerson
        fields = [
            "id",
            "organization",
            "referent",
            *YOUNG_PERSON_EDITABLE,
            "created_at",
            "updated_at",
            "version",
            "last_follow_up_at",
            "next_appointment_at",
            "overdue_steps",
        ]
        read_only_fields = ["id", "status", "created_at", "updated_at", "version"]


class YoungPersonCreateSerializer(serializers.ModelSerializer):
    confirm_duplicate = serializers.BooleanField(
        default=False,
        write_only=True,
        help_text=_("Create even though a file with the same name and birth date exists."),
    )
    organization = serializers.IntegerField(
        required=False,
        write_only=True,
        min_value=1,
        max_value=MAX_ID,
        help_text=_(
            "Id of the organisation the file is created in, one where you are an advisor or "
            "a supervisor. Required when you work in several; defaults to your only one."
        ),
    )

    def validate_organization(self, value: int) -> Organization:
        for organization in casework_organizations(self.context["request"].user):
            if organization.pk == value:
                return organization
        raise serializers.ValidationError(
            _("You are not an advisor or a supervisor of this organisation.")
        )

    def validate(self, attrs: dict) -> dict:
        if "organization" not in attrs:
            organizations = casework_organizations(self.context["request"].user)
            if len(organizations) > 1:
                raise serializers.ValidationError(
                    {
                        "organization": _(
                            "You work in several organisations: give the id of the one "
                            "the file is created in."
                        )
                    }
                )
            if len(organizations) == 1:
                (attrs["organization"],) = organizations  # the only one: nothing to choose
        return attrs

    class Meta:
        model = YoungPerson
        fields = [
            *YOUNG_PERSON_IDENTITY,
            "confirm_duplicate",
            "organization",
        ]

    def validate_birth_date(self, born):
        validators.validate_birth_date(born)
        return born


class YoungPersonUpdateSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("The version you read; or send it as If-Match. A stale one answers 409/412."),
    )

    class Meta:
        model = YoungPerson
        fields = [*YOUNG_PERSON_EDITABLE, "version"]
        extra_kwargs = {name: {"required": False} for name in fields}

    def validate_birth_date(self, born):
        # As the service: an unchanged date is not judged again, a new one against the
        # day the file was created.
        if self.instance is None:
            validators.validate_birth_date(born)
        elif born != self.instance.birth_date:
            validators.validate_birth_date(born, on=timezone.localdate(self.instance.created_at))
        return born


class DiagnosticSerializer(serializers.ModelSerializer):
    young_person = ScopedYoungPersonField()
    performed_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = DigitalDiagnostic
        fields = [
            "id",
            "young_person",
            "performed_at",
            "performed_by",
            *DigitalDiagnostic.QUESTION_FIELDS,
            "autonomy_level",
            "notes",
        ]
        read_only_fields = ["id", "performed_at", "performed_by", "autonomy_level"]
        extra_kwargs = {name: {"required": True} for name in DigitalDiagnostic.QUESTION_FIELDS}


class StepTypeCodeField(serializers.SlugRelatedField):
    """A step type by its code. Codes are unique within one catalogue, not across
    organisations, so StepSerializer.validate looks the code up in the catalogue of the
    young person's organisation."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=step_types_all(), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid")
        return data.strip()


class StepSerializer(serializers.ModelSerializer):
    young_person = ScopedYoungPersonField()
    step_type = StepTypeCodeField()
    completed_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Step
        fields = [
            "id",
            "young_person",
            "step_type",
            "status",
            "due_date",
            "completed_at",
            "completed_by",
            "evidence",
            "updated_at",
        ]
        read_only_fields = ["id", "completed_at", "completed_by", "updated_at"]
        # The view refuses a step the young person already has, with a message on the field.
        validators = []

    def validate(self, attrs):
        code, young_person = attrs.get("step_type"), attrs.get("young_person")
        if isinstance(code, str) and young_person is not None:
            step_type = step_types_for(young_person.organization_id).filter(code=code).first()
            if step_type is None:
                message = self.fields["step_type"].error_messages["does_not_exist"]
                raise serializers.ValidationError(
                    {"step_type": [message.format(slug_name="code", value=code)]}
                )
            attrs["step_type"] = step_type
        return attrs


class StepUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Step
        fields = ["status", "due_date", "evidence"]
        extra_kwargs = {name: {"required": False} for name in fields}


class FollowUpSerializer(serializers.ModelSerializer):
    young_person = ScopedYoungPersonField()
    author = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "young_person",
            "author",
            *FOLLOW_UP_WRITTEN,
            "created_at",
        ]
        read_only_fields = ["id", "author", "created_at"]
        extra_kwargs = {
            "duration_minutes": {"min_value": 1, "max_value": 600},
            "occurred_at": {"validators": [validators.validate_follow_up_moment]},
            "next_appointment": {"validators": [validators.validate_plausible_moment]},
        }


class DocumentSerializer(serializers.ModelSerializer):
    young_person = ScopedYoungPersonField()
    uploaded_by = UserRefSerializer(read_only=True, allow_null=True)
    file = serializers.FileField(write_only=True, max_length=255)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "young_person",
            "kind",
            "title",
            "file",
            "original_name",
            "content_type",
            "size",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "uploaded_by",
            "uploaded_at",
        ]
        extra_kwargs = {"title": {"required": False}}

    def get_download_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("api:document-download", args=[obj.pk])


class ApplicationSerializer(serializers.ModelSerializer):
    young_person = ScopedYoungPersonField()

    class Meta:
        model = Application
        fields = [
            "id",
            "young_person",
            *APPLICATION_EDITABLE,
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "cv" in self.fields:
            self.fields["cv"].queryset = file_records(Document, request.user)


class ApplicationUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Application
        fields = list(APPLICATION_EDITABLE)
        extra_kwargs = {name: {"required": False} for name in fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["cv"].queryset = self.instance.young_person.documents.all()


HISTORY_OBJECT_TYPES = [
    "young_person",
    "diagnostic",
    "step",
    "follow_up",
    "application",
    "document",
    "referral",
    "delegation",
]


class HistoryObjectSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=HISTORY_OBJECT_TYPES, read_only=True)
    id = serializers.IntegerField(read_only=True, allow_null=True)
    label = serializers.CharField(read_only=True)


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {}, "minItems": 2, "maxItems": 2},
        "description": (
            "{field: [before, after]}: the recorded fields that changed (all of them on a "
            "creation or a deletion), with the values the API uses elsewhere: related "
            "objects by id, choices by code, dates as YYYY-MM-DD, date-times in ISO 8601."
        ),
    }
)
class HistoryChangesField(serializers.Field):
    def to_representation(self, entry):
        return history_display.api_changes(entry)


class HistoryEntrySerializer(serializers.Serializer):
    """One change to a young person's file: who, when, through which channel, what."""

    id = serializers.IntegerField(read_only=True)
    at = serializers.DateTimeField(source="timestamp", read_only=True)
    actor = UserRefSerializer(read_only=True, allow_null=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    object = serializers.SerializerMethodField()
    action = serializers.ChoiceField(choices=Action.choices, source="action_name", read_only=True)
    changes = HistoryChangesField(source="*", read_only=True)

    @extend_schema_field(HistoryObjectSerializer)
    def get_object(self, entry) -> dict:
        return history_display.api_object(entry)
