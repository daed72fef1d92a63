from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path(
        "young-people/<int:pk>/summary.pdf",
        views.young_person_summary,
        name="young_person_summary",
    ),
    path("young-people/<int:pk>/mon-parcours.pdf", views.my_pathway, name="my_pathway"),
    path(
        "young-people/<int:pk>/access-log.csv",
        views.export_access_log,
        name="export_access_log",
    ),
    path("caseload.pdf", views.caseload_pdf, name="caseload_pdf"),
    path("activity.pdf", views.activity_pdf, name="activity_pdf"),
    path("export/caseload.csv", views.export_caseload, name="export_caseload"),
    path(
        "export/referrals-received.csv",
        views.export_referrals_received,
        name="export_referrals_received",
    ),
    path("export/referrals-sent.csv", views.export_referrals_sent, name="export_referrals_sent"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/mapping/", views.import_mapping, name="import_mapping"),
    path("import/preview/", views.import_preview, name="import_preview"),
    path("import/run/", views.import_run, name="import_run"),
    path("import/cancel/", views.import_cancel, name="import_cancel"),
]
