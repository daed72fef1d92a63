# Platform staff get the step catalogue only: young people's files are not browsable in the
# Django admin (DESIGN.md: "no casual access to case content").
from django.contrib import admin

from cases.models import StepType


@admin.register(StepType)
class StepTypeAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "organization", "category", "order", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["label", "code"]
