from django.urls import path

from referrals import views, workflow

app_name = "referrals"

urlpatterns = [
    path("received/", views.received, name="received"),
    path("sent/", views.sent, name="sent"),
    path("new/<int:young_person_pk>/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    # accept/, decline/, cancel/, complete/: one URL per action of the workflow table.
    *(
        path(f"<int:pk>/{action}/", views.transition, {"action": action}, name=action)
        for action in workflow.ACTIONS
    ),
    path("<int:pk>/handler/", views.assign_handler, name="assign_handler"),
    path("<int:pk>/messages/", views.post_message, name="post_message"),
    path("<int:pk>/link/", views.link_file, name="link_file"),
    path("<int:pk>/file/", views.shared_file, name="shared_file"),
    path("<int:pk>/file/documents/<int:doc_pk>/", views.shared_document, name="shared_document"),
    path("<int:pk>/sheet.pdf", views.sheet, name="sheet"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/toggle/", views.webhook_toggle, name="webhook_toggle"),
    path("webhooks/<int:pk>/deliveries/", views.webhook_deliveries, name="webhook_deliveries"),
]
