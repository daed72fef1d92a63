from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("directory/", views.directory, name="directory"),
    path("new/", views.young_person_create, name="create"),
    path("<int:pk>/", views.young_person_detail, name="detail"),
    path("<int:pk>/edit/", views.young_person_update, name="update"),
    path("<int:pk>/diagnostics/new/", views.diagnostic_create, name="diagnostic_create"),
    path("<int:pk>/steps/add/", views.steps_add, name="steps_add"),
    path("<int:pk>/steps/<int:step_pk>/", views.step_update, name="step_update"),
    path("<int:pk>/follow-ups/new/", views.follow_up_create, name="follow_up_create"),
    path("<int:pk>/applications/new/", views.application_edit, name="application_create"),
    path(
        "<int:pk>/applications/<int:app_pk>/edit/",
        views.application_edit,
        name="application_update",
    ),
    path("<int:pk>/documents/new/", views.document_upload, name="document_upload"),
    path(
        "<int:pk>/documents/<int:doc_pk>/download/",
        views.document_download,
        name="document_download",
    ),
    path("<int:pk>/documents/<int:doc_pk>/delete/", views.document_delete, name="document_delete"),
    path("<int:pk>/delegations/", views.delegations, name="delegations"),
    path(
        "<int:pk>/delegations/<int:user_pk>/revoke/",
        views.delegation_revoke,
        name="delegation_revoke",
    ),
    path("<int:pk>/access-log/", views.access_log, name="access_log"),
    path("<int:pk>/history/", views.history, name="history"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:step_type_pk>/toggle/", views.catalogue_toggle, name="catalogue_toggle"),
]
