"""Mounted before the HR console: path("hr/debts/", include("polis.billing.debts.urls"))."""

from django.urls import path

from polis.billing.debts import views

app_name = "debts"
urlpatterns = [
    path("", views.hr_debts, name="hr"),
    path("export.csv", views.hr_debts_csv, name="hr_csv"),
]
