"""Two clicks at the same moment: one dispute per line, one answer per dispute, money returned
once. Real concurrency needs real connections and row locks, so this runs on PostgreSQL only:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polis_helper pytest -k disputes_concurrent
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from polis.billing.disputes.services import DisputeError, dispute_submit, dispute_uphold
from polis.billing.models import Dispute, DisputeStatus, InvoiceAdjustment, RegistryLine
from polis.billing.tests.test_disputes_services import paid_by_card
from polis.coverage.models import Policy
from polis.payments.models import Refund
from polis.testing import concurrency
from polis.testing import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="нужен PostgreSQL: SQLite не пишет параллельно"),
]


def together(action: Callable[[], Any], times: int = 2) -> list[Any]:
    return concurrency.together(action, times, refusals=(DisputeError,))


def test_two_submits_of_one_line_give_one_dispute_and_one_clear_refusal(alice):
    policy = Policy.objects.get(number="001-0000001")
    line = f.RegistryLineFactory(policy=policy)

    results = together(lambda: dispute_submit(user=alice, line_id=line.pk, kind="quality", comment="Плохо"))

    refusals = [r for r in results if isinstance(r, DisputeError)]
    assert len(refusals) == 1, results
    assert refusals[0].message == "По этой услуге уже есть несогласие на рассмотрении"
    assert Dispute.objects.filter(line=line).count() == 1


def test_two_upholds_at_once_correct_the_invoice_and_refund_once(alice, backoffice_user):
    policy = Policy.objects.get(number="001-0000001")
    invoice = f.invoice_with_lines(policy=policy, copays=[300_00, 200_00])
    paid_by_card(invoice, 500_00)
    line = RegistryLine.objects.filter(registry=invoice.registry).order_by("line_no").first()
    dispute = dispute_submit(user=alice, line_id=line.pk, kind="not_provided", comment="Не был")

    results = together(
        lambda: dispute_uphold(dispute=dispute, staff=backoffice_user, answer="Снято", corrected_copay_kopecks=0)
    )

    assert sum(isinstance(r, DisputeError) for r in results) == 1, results
    invoice.refresh_from_db()
    assert (invoice.adjustment_kopecks, invoice.due_kopecks, invoice.paid_kopecks) == (-300_00, 200_00, 200_00)
    assert InvoiceAdjustment.objects.count() == 1
    assert list(Refund.objects.values_list("amount_kopecks", flat=True)) == [300_00]
    assert Dispute.objects.get().status == DisputeStatus.UPHELD
