from django.urls import path

from polis.network import views

app_name = "clinic"
urlpatterns = [
    path("", views.home, name="home"),
    path("patients/", views.patients, name="patients"),
]
