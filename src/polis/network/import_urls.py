from django.urls import path

from polis.network import import_views

app_name = "network_import"
urlpatterns = [
    path("import/", import_views.upload, name="upload"),
    path("import/samples/<slug:kind>.csv", import_views.sample, name="sample"),
]
