from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "polis.billing"
    label = "billing"
    verbose_name = "Франшиза"

    def ready(self) -> None:
        # What a succeeded payment or refund does is the purpose's owner's business: payments
        # calls these inside the transaction that moves the payment (refund) to succeeded.
        from polis.billing.invoices.services import copay_succeeded
        from polis.billing.services import card_binding_succeeded, deposit_refund_succeeded, deposit_succeeded
        from polis.payments.models import PaymentPurpose
        from polis.payments.services import ON_REFUND_SUCCEEDED, ON_SUCCEEDED

        ON_SUCCEEDED[PaymentPurpose.DEPOSIT.value] = deposit_succeeded
        ON_SUCCEEDED[PaymentPurpose.CARD_BINDING.value] = card_binding_succeeded
        ON_SUCCEEDED[PaymentPurpose.COPAY.value] = copay_succeeded
        ON_REFUND_SUCCEEDED[PaymentPurpose.DEPOSIT.value] = deposit_refund_succeeded
