"""/backoffice/registries/: every clinic's registries, uploads for any clinic, and the signals of
services reported as not provided."""

from django.urls import path

from polis.billing.registries import views

app_name = "backoffice_registries"
console = {"console": views.BACKOFFICE}
urlpatterns = [
    path("", views.registry_list, console, name="list"),
    path("upload/", views.registry_upload, console, name="upload"),
    path("signals/", views.signals, name="signals"),
    path("<int:registry_id>/", views.registry_detail, console, name="detail"),
    path("<int:registry_id>/progress/", views.registry_progress, console, name="progress"),
    path("<int:registry_id>/rejected.csv", views.rejected_csv, console, name="rejected_csv"),
    path("<int:registry_id>/rejected.xlsx", views.rejected_xlsx, console, name="rejected_xlsx"),
]
