from django.urls import path

from polis.network import directory_views

app_name = "clinics"
urlpatterns = [
    path("", directory_views.clinic_list, name="list"),
    path("<int:policy_id>/<int:clinic_id>/", directory_views.clinic_detail, name="detail"),
]
