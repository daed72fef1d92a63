from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services, two_factor
from accounts.access import (
    access_administered_organization,
    access_api_token,
    access_membership,
)
from accounts.forms import (
    ApiTokenCreateForm,
    MemberAddForm,
    MemberRoleForm,
    OrganizationSwitchForm,
)
from accounts.middleware import SESSION_KEY
from accounts.ratelimit import password_reset_allowed
from accounts.selectors import (
    active_memberships,
    api_tokens_of,
    membership_in,
    organization_members,
)
from core.exceptions import DomainError


@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, org_pk: int) -> HttpResponse:
    organization = access_administered_organization(request.user, org_pk)
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_add(
                actor=request.user,
                organization=organization,
                request=request,
                **form.cleaned_data,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Member added; they received an email to set a password."))
            return redirect("accounts:members", org_pk=organization.pk)
    return render(
        request,
        "accounts/members.html",
        {
            "organization": organization,
            "members": organization_members(organization),
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    membership = access_membership(request.user, pk, organization_pk=org_pk)
    form = MemberRoleForm(request.POST or None, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Role changed."))
            return redirect("accounts:members", org_pk=org_pk)
    return render(
        request,
        "accounts/member_edit.html",
        {
            "membership": membership,
            "form": form,
            "two_factor_enabled": two_factor.is_enabled(membership.user),
        },
    )


@require_POST
def member_toggle_active(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    membership = access_membership(request.user, pk, organization_pk=org_pk)
    try:
        services.member_set_active(
            actor=request.user, membership=membership, is_active=not membership.is_active
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if membership.is_active:
            messages.success(request, _("Member reactivated."))
        else:
            messages.success(request, _("Member deactivated: their access ended at once."))
    return redirect(reverse("accounts:members", kwargs={"org_pk": org_pk}))


@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """ "My API access": the signed-in user's live tokens, and a new one (the key is shown
    on the answer to the POST, once: it is not kept anywhere, session included)."""
    form = ApiTokenCreateForm(request.POST or None, request=request)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, key = services.api_token_create(
                    actor=request.user, label=form.cleaned_data["label"], via="web"
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return render(
                    request, "accounts/api_token_created.html", {"token": token, "key": key}
                )
        status = 400
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "tokens": api_tokens_of(request.user),
            "form": form,
            "ttl_days": settings.API_TOKEN_TTL_DAYS,
            "limit": settings.API_TOKEN_LIMIT_PER_USER,
        },
        status=status,
    )


@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = access_api_token(request.user, pk)
    services.api_token_revoke(actor=request.user, token=token, via="web")
    messages.success(
        request, _("Token “%(label)s” revoked: it no longer works.") % {"label": token}
    )
    return redirect("accounts:api_tokens")


@require_POST
def member_reset_two_factor(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    membership = access_membership(request.user, pk, organization_pk=org_pk)
    try:
        services.member_reset_two_factor(actor=request.user, membership=membership)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Two-factor authentication reset: %(name)s sets it up again at the next sign-in.")
            % {"name": membership.user.display_name},
        )
    return redirect("accounts:member_edit", org_pk=org_pk, pk=pk)


@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    """Make one of the user's active memberships the current organisation, then go back."""
    form = OrganizationSwitchForm(request.POST, memberships=active_memberships(request.user))
    if form.is_valid():
        membership = membership_in(request.user, form.cleaned_data["organization"])
        request.session[SESSION_KEY] = membership.organization_id
        messages.success(
            request,
            _("You now work in %(organization)s.") % {"organization": membership.organization},
        )
    else:
        messages.error(request, " ".join(form.errors["organization"]))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    return redirect(target)


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view, rate-limited per client and per email address (accounts.ratelimit).
    Beyond the limits the answer is the same page, only no email is sent."""

    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        if not password_reset_allowed(request=self.request, email=form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")
