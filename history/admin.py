# django-auditlog registers its log entry (ours, history.HistoryEntry) in the Django
# admin. The history holds case content, and platform staff have no casual access to case
# content (DESIGN.md): it is read on the file, by those who hold the file.
from django.contrib import admin

from history.models import HistoryEntry

if admin.site.is_registered(HistoryEntry):
    admin.site.unregister(HistoryEntry)
