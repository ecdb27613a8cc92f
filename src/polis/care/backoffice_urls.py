"""Back office pages under /backoffice/care/: service modes (registry mode, attachment letters)."""

from django.urls import path

from polis.care import backoffice_views as views

app_name = "care_backoffice"

urlpatterns = [
    path("", views.changes, name="changes"),
    path("new/", views.change_new, name="change_new"),
    path("<int:pk>/", views.change, name="change"),
    path("<int:pk>/match/", views.match, name="match"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/installment/", views.installment, name="installment"),
]
