import django_filters
from django.utils.translation import gettext_lazy as _

from referrals.enums import ReferralReason, ReferralStatus
from referrals.models import Referral


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ReferralStatus.choices, empty_label=_("All")
    )
    reason = django_filters.ChoiceFilter(
        label=_("Reason"), choices=ReferralReason.choices, empty_label=_("All")
    )

    class Meta:
        model = Referral
        fields = ["status", "reason"]
