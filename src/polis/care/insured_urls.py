"""The insured's pages of the medical desk, under /my/care/: requests, letters, visits, passes."""

from django.urls import path

from polis.care import insured_views as views

app_name = "care_my"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/cancel/", views.request_cancel, name="cancel"),
    path("<int:pk>/escalate/", views.escalation_new, name="escalate"),
    path("passes/<int:pk>/", views.pass_submit, name="pass"),
    path("files/<int:file_id>/", views.request_file, name="file"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/<int:pk>/confirm/", views.visit_confirm, name="visit_confirm"),
    path("visits/<int:pk>/missed/", views.visit_missed, name="visit_missed"),
    path("visits/<int:pk>/rate/", views.visit_rate, name="visit_rate"),
]
