from django.urls import path

from polis.network import booking_views as views

app_name = "booking"
urlpatterns = [
    path("", views.booking_list, name="list"),
    path("new/", views.new, name="new"),
    path("<int:booking_id>/cancel/", views.cancel, name="cancel"),
    path("<int:booking_id>/reschedule/", views.reschedule, name="reschedule"),
]
