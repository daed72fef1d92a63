from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from accounts import security_log
        from accounts.two_factor import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.two_factor_pending")
        user_logged_in.connect(security_log.on_user_logged_in, dispatch_uid="accounts.log_login")
        user_login_failed.connect(
            security_log.on_user_login_failed, dispatch_uid="accounts.log_login_failed"
        )
        user_locked_out.connect(security_log.on_user_locked_out, dispatch_uid="accounts.log_lock")
