from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        # accounts cannot import referrals (apps import downwards): it fires a hook that
        # referrals listens to, so that the shared-file grants follow the roles
        # (core/hooks.py, accounts/hooks.py).
        from accounts.hooks import membership_changed
        from referrals import tracking
        from referrals.services import referral_grants_on_membership_change

        membership_changed.register(referral_grants_on_membership_change)
        tracking.register()
