"""Mounted at /my/ (before coverage's own /my/ include): /my/invoices/… and /my/services/."""

from django.urls import path

from polis.billing.invoices import views

app_name = "invoices"
urlpatterns = [
    path("invoices/", views.invoice_list, name="list"),
    path("invoices/pay/", views.pay, name="pay"),
    path("invoices/returned/", views.returned, name="returned"),
    path("invoices/<int:invoice_id>/", views.detail, name="detail"),
    path("invoices/<int:invoice_id>/invoice.csv", views.download_csv, name="csv"),
    path("invoices/<int:invoice_id>/invoice.xlsx", views.download_xlsx, name="xlsx"),
    path("services/", views.received, name="services"),
]
