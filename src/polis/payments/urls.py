from django.urls import path

from polis.payments import views

app_name = "payments"

urlpatterns = [
    path("history/", views.history, name="history"),
    path("<uuid:payment_id>/return/", views.return_page, name="return"),
    path("<uuid:payment_id>/receipt/", views.receipt, name="receipt"),
    path("sandbox/<uuid:payment_id>/", views.sandbox, name="sandbox"),
    path("webhooks/yookassa/", views.webhook_yookassa, name="webhook_yookassa"),
    path("webhooks/sandbox/", views.webhook_sandbox, name="webhook_sandbox"),
]
