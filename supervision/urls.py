from django.urls import path

from supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:org_pk>/", views.dashboard, name="dashboard"),
    path("<int:org_pk>/young-people/", views.young_people, name="young_people"),
    path("<int:org_pk>/young-people/reassign/", views.reassign, name="reassign"),
    path("<int:org_pk>/referrals/", views.referrals, name="referrals"),
    path("<int:org_pk>/delegations/", views.delegations, name="delegations"),
]
