from django.contrib import admin
from django.urls import include, path

from cases.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("young-people/", include("cases.urls")),
    path("referrals/", include("referrals.urls")),
    path("admin/", admin.site.urls),
]
