from django.urls import path

from polis.care import views

app_name = "desk"
urlpatterns = [
    path("", views.search, name="search"),
    path("policies/<int:pk>/", views.policy, name="policy"),
]
