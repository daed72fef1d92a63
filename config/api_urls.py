from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.api.views import MeView, OrganizationViewSet, TokenView
from cases.api import views as case_views
from referrals.api.views import ReferralViewSet

router = DefaultRouter()
router.register("young-people", case_views.YoungPersonViewSet, basename="young-person")
router.register("diagnostics", case_views.DiagnosticViewSet, basename="diagnostic")
router.register("steps", case_views.StepViewSet, basename="step")
router.register("follow-ups", case_views.FollowUpViewSet, basename="follow-up")
router.register("applications", case_views.ApplicationViewSet, basename="application")
router.register("documents", case_views.DocumentViewSet, basename="document")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("organizations", OrganizationViewSet, basename="organization")

app_name = "api"

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    path("", include(router.urls)),
]


def _api_handles_its_own_auth(patterns) -> None:
    """DRF authenticates (session or token) and answers 401/403 itself: Django's
    LoginRequiredMiddleware must not redirect API calls to the login page."""
    for entry in patterns:
        if hasattr(entry, "url_patterns"):
            _api_handles_its_own_auth(entry.url_patterns)
        else:
            entry.callback.login_required = False


_api_handles_its_own_auth(urlpatterns)
