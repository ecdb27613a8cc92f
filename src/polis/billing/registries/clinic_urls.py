"""/clinic/registries/: the clinic clerk's registries (the own clinic's only)."""

from django.urls import path

from polis.billing.registries import views

app_name = "clinic_registries"
console = {"console": views.CLINIC}
urlpatterns = [
    path("", views.registry_list, console, name="list"),
    path("upload/", views.registry_upload, console, name="upload"),
    path("<int:registry_id>/", views.registry_detail, console, name="detail"),
    path("<int:registry_id>/progress/", views.registry_progress, console, name="progress"),
    path("<int:registry_id>/rejected.csv", views.rejected_csv, console, name="rejected_csv"),
    path("<int:registry_id>/rejected.xlsx", views.rejected_xlsx, console, name="rejected_xlsx"),
]
