"""The registries, invoices, disputes and debts are mounted where the docs say, and the co-pay
payment effect is registered."""

from django.urls import reverse

from polis.billing.invoices.services import copay_succeeded
from polis.payments.services import ON_SUCCEEDED


def test_pages_api_and_payment_effect_are_hooked_in():
    assert reverse("invoices:list") == "/my/invoices/"
    assert reverse("invoices:detail", args=[7]) == "/my/invoices/7/"
    assert reverse("invoices:services") == "/my/services/"
    assert reverse("api-v1:invoices_list") == "/api/v1/invoices"
    assert reverse("api-v1:services_list") == "/api/v1/services"
    assert reverse("disputes:list") == "/my/disputes/"
    assert reverse("disputes:new", args=[7]) == "/my/disputes/new/7/"
    assert reverse("disputes_backoffice:queue") == "/backoffice/disputes/"
    assert reverse("debts:hr") == "/hr/debts/"
    assert reverse("clinic_registries:list") == "/clinic/registries/"
    assert reverse("backoffice_registries:list") == "/backoffice/registries/"
    assert ON_SUCCEEDED.get("copay") is copay_succeeded
