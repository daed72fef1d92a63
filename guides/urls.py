from django.urls import path, register_converter

from guides import views
from guides.enums import GuideTopic


class TopicConverter:
    """Only the topics' slugs: /infos/numerique/ is a topic, /infos/<other>/ a guide."""

    regex = "|".join(GuideTopic.values)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(TopicConverter, "topic")

app_name = "guides"
urlpatterns = [
    path("", views.index, name="index"),
    path("gerer/", views.manage, name="manage"),
    path("gerer/nouveau/", views.create, name="create"),
    path("gerer/<int:pk>/", views.edit, name="edit"),
    path("gerer/<int:pk>/publier/", views.publish, name="publish"),
    path("gerer/<int:pk>/retirer/", views.unpublish, name="unpublish"),
    path("gerer/<int:pk>/historique/", views.history, name="history"),
    path("gerer/<int:pk>/historique/<int:number>/", views.revision, name="revision"),
    path("<topic:topic>/", views.topic, name="topic"),
    path("<slug:slug>/", views.detail, name="detail"),
]
