from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path, reverse_lazy

from accounts import two_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        login_not_required(views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password/reset/done/",
        login_not_required(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        login_not_required(
            auth_views.PasswordResetConfirmView.as_view(
                success_url=reverse_lazy("accounts:password_reset_complete")
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        login_not_required(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("organization/", views.switch_organization, name="switch_organization"),
    path("organizations/<int:org_pk>/members/", views.members, name="members"),
    path("organizations/<int:org_pk>/members/<int:pk>/", views.member_edit, name="member_edit"),
    path(
        "organizations/<int:org_pk>/members/<int:pk>/toggle-active/",
        views.member_toggle_active,
        name="member_toggle_active",
    ),
    path(
        "organizations/<int:org_pk>/members/<int:pk>/reset-two-factor/",
        views.member_reset_two_factor,
        name="member_reset_two_factor",
    ),
    path("two-factor/", two_factor_views.overview, name="two_factor"),
    path("two-factor/setup/", two_factor_views.setup, name="two_factor_setup"),
    path("two-factor/verify/", two_factor_views.verify, name="two_factor_verify"),
    path(
        "two-factor/recovery-codes/",
        two_factor_views.recovery_codes_regenerate,
        name="two_factor_recovery_codes",
    ),
    path(
        "two-factor/recovery-codes/new/",
        two_factor_views.recovery_codes_new,
        name="two_factor_recovery_codes_new",
    ),
    path("two-factor/disable/", two_factor_views.disable, name="two_factor_disable"),
]
