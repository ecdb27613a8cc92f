from django.urls import path

from polis.billing import views

app_name = "billing"
urlpatterns = [
    path("", views.franchise, name="franchise"),
    path("consent/", views.consent, name="consent"),
    path("deposit/", views.deposit, name="deposit"),
    path("card/", views.card_bind, name="card"),
    path("returned/", views.returned, name="returned"),
    path("card/unbind/", views.card_unbind, name="card_unbind"),
    path("refund/<int:policy_id>/", views.refund_apply, name="refund"),
]
