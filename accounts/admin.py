from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts import services
from accounts.models import ApiToken, Membership, Organization, SecurityEvent, User

# What the services need to know about a membership the admin changed.
_TRACKED = ("role", "is_active", "organization")


def _previous(form) -> dict | None:
    """The membership's values before the form (None when the form creates it)."""
    if form.instance._state.adding or not form.has_changed():
        return None
    return {name: form.initial.get(name) for name in _TRACKED}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fk_name = "user"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        changed = [
            (f, f.instance._state.adding, _previous(f))
            for f in formset.forms
            if f.has_changed() and f not in formset.deleted_forms
        ]
        deleted = [f.instance for f in formset.deleted_forms if f.instance.pk]
        super().save_formset(request, form, formset, change)
        for membership in deleted:
            services.membership_admin_record(
                actor=request.user, membership=membership, deleted=True
            )
        for f, created, previous in changed:
            if created or previous is not None:
                services.membership_admin_record(
                    actor=request.user, membership=f.instance, previous=previous
                )


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "territory"]
    list_filter = ["kind"]
    search_fields = ["name", "territory"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "is_active"]
    list_filter = ["role", "is_active", "organization__kind"]
    search_fields = ["user__username", "user__last_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]

    def save_model(self, request, obj, form, change):
        previous = _previous(form) if change else None
        super().save_model(request, obj, form, change)
        if not change or previous is not None:
            services.membership_admin_record(actor=request.user, membership=obj, previous=previous)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.membership_admin_record(actor=request.user, membership=obj, deleted=True)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "organization"):
            self.delete_model(request, membership)


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the services, never by hand."""

    list_display = ["at", "kind", "organization", "subject", "actor"]
    list_filter = ["kind", "organization__kind"]
    search_fields = ["subject__username", "actor__username", "organization__name"]
    list_select_related = ["organization", "subject", "actor"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Who holds API tokens, until when: read-only, and without the key's digest or
    prefix (knox's own admin, which lists digests and can mint keys, is not used). To end
    someone's tokens, deactivate the account or change its password: both revoke them
    all, logged."""

    list_display = ["user", "label", "created", "expiry", "last_used_at"]
    fields = ["user", "label", "created", "expiry", "last_used_at"]
    search_fields = ["user__username", "user__last_name", "label"]
    list_select_related = ["user"]
    date_hierarchy = "created"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
