from django.urls import path

from polis.billing import clinic_views
from polis.network import schedule_views, views

app_name = "clinic"
urlpatterns = [
    path("", views.home, name="home"),
    path("patients/", views.patients, name="patients"),
    path("doctors/", schedule_views.doctors, name="doctors"),
    path("doctors/<int:doctor_id>/", schedule_views.doctor_schedule, name="doctor_schedule"),
    path("doctors/<int:doctor_id>/generate/", schedule_views.slots_generate, name="slots_generate"),
    path("slots/<int:slot_id>/block/", schedule_views.slot_block_view, name="slot_block"),
    path("slots/<int:slot_id>/unblock/", schedule_views.slot_unblock_view, name="slot_unblock"),
    path("bookings/", schedule_views.bookings, name="bookings"),
    path("bookings/<int:booking_id>/cancel/", schedule_views.booking_cancel, name="booking_cancel"),
    path("franchise/", clinic_views.franchise_notices, name="franchise_notices"),
    path("franchise/<int:notice_id>/confirm/", clinic_views.franchise_notice_confirm, name="franchise_notice_confirm"),
]
