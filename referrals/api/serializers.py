from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Organization, User
from cases.api.serializers import ScopedYoungPersonField, UserRefSerializer
from referrals.enums import (
    ConsentMethod,
    DeclineReason,
    OutcomeCode,
    ReferralReason,
    SharedSection,
)
from referrals.models import Referral, ReferralEvent, ReferralMessage


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind"]


class YoungPersonCardSerializer(serializers.Serializer):
    """What every party of a referral sees of the person: name and birth year."""

    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    birth_year = serializers.IntegerField(read_only=True, source="birth_date.year")


class ReferralEventSerializer(serializers.ModelSerializer):
    actor = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ReferralEvent
        fields = ["at", "actor", "from_status", "to_status", "note"]


class ReferralSerializer(serializers.ModelSerializer):
    young_person = YoungPersonCardSerializer(read_only=True)
    young_person_id = serializers.SerializerMethodField()
    from_organization = OrganizationRefSerializer(read_only=True)
    to_organization = OrganizationRefSerializer(read_only=True)
    sent_by = UserRefSerializer(read_only=True, allow_null=True)
    handler = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "status",
            "young_person",
            "young_person_id",
            "from_organization",
            "to_organization",
            "sent_by",
            "reason",
            "message",
            "shared_sections",
            "consent_method",
            "consent_recorded_at",
            "handler",
            "decline_reason",
            "outcome_code",
            "outcome_note",
            "sent_at",
            "answered_at",
            "closed_at",
            "updated_at",
        ]

    def get_young_person_id(self, obj) -> int | None:
        """The sender's file id, only for callers who hold that file."""
        sender_ids = self.context.get("sender_file_ids")
        return obj.young_person_id if sender_ids and obj.young_person_id in sender_ids else None


class ReferralCreateSerializer(serializers.Serializer):
    young_person = ScopedYoungPersonField()
    to_organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    reason = serializers.ChoiceField(choices=ReferralReason.choices)
    message = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    shared_sections = serializers.ListField(
        child=serializers.ChoiceField(choices=SharedSection.choices),
        allow_empty=True,
        max_length=len(SharedSection.values),
    )
    consent_method = serializers.ChoiceField(choices=ConsentMethod.choices)
    consent_given = serializers.BooleanField(
        help_text=_("Must be true: no referral without the young person's consent.")
    )


class AcceptSerializer(serializers.Serializer):
    handler = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class DeclineSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class CompleteSerializer(serializers.Serializer):
    outcome_code = serializers.ChoiceField(choices=OutcomeCode.choices)
    outcome_note = serializers.CharField(
        required=False, allow_blank=True, max_length=4000, default=""
    )


class CancelSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class NoteSerializer(serializers.Serializer):
    """An action that takes nothing but a note."""

    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


# The serializer of each action of the workflow table (its fields are the parameters of the
# action's service); any other action takes a NoteSerializer.
TRANSITION_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    "accept": AcceptSerializer,
    "decline": DeclineSerializer,
    "complete": CompleteSerializer,
    "cancel": CancelSerializer,
}


def transition_serializer(action: str) -> type[serializers.Serializer]:
    return TRANSITION_SERIALIZERS.get(action, NoteSerializer)


class MessageSerializer(serializers.ModelSerializer):
    author = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ReferralMessage
        fields = ["id", "author", "body", "at"]
        read_only_fields = ["id", "author", "at"]
        extra_kwargs = {"body": {"max_length": 4000}}


class SharedFileSerializer(serializers.Serializer):
    """Exactly the sections the consent shares; absent sections are null."""

    referral = serializers.IntegerField(source="referral.pk")
    sections = serializers.ListField(child=serializers.CharField())
    identity = serializers.DictField(allow_null=True)
    diagnostic = serializers.DictField(allow_null=True)
    steps = serializers.ListField(child=serializers.DictField(), allow_null=True)
    follow_ups = serializers.ListField(child=serializers.DictField(), allow_null=True)
    applications = serializers.ListField(child=serializers.DictField(), allow_null=True)
    documents = serializers.ListField(child=serializers.DictField(), allow_null=True)
