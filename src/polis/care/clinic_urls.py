"""The clinic clerk's pages under /clinic/letters/: guarantee and attachment letters, passes."""

from django.urls import path

from polis.care import clinic_views as views

app_name = "care_clinic"

urlpatterns = [
    path("", views.letters, name="letters"),
    path("<int:pk>/", views.letter, name="letter"),
    path("<int:pk>/receive/", views.receive, name="receive"),
    path("<int:pk>/use/", views.use, name="use"),
    path("<int:pk>/pass-photo/", views.pass_photo, name="pass_photo"),
    path("attachments/", views.attachments, name="attachments"),
    path("attachments/<int:pk>/receive/", views.attachment_receive_view, name="attachment_receive"),
]
