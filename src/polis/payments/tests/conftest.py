"""Payments tests run against the sandbox gateway with the purpose effects of other apps taken
out: each test registers the effect it counts."""

from collections.abc import Iterator
from unittest import mock

import pytest

from polis.accounts.models import User
from polis.coverage.models import Policy
from polis.payments import services
from polis.payments.gateways.sandbox import sandbox_decide
from polis.payments.models import Payment, PaymentPurpose


@pytest.fixture(autouse=True)
def sandbox_only(settings) -> Iterator[None]:
    settings.PAYMENTS_GATEWAY = "sandbox"
    with (
        mock.patch.dict(services.ON_SUCCEEDED, clear=True),
        mock.patch.dict(services.ON_REFUND_SUCCEEDED, clear=True),
    ):
        yield


@pytest.fixture
def effects() -> list[Payment]:
    """Every purpose's effect, counted: one entry per call."""
    calls: list[Payment] = []
    for purpose in PaymentPurpose.values:
        services.ON_SUCCEEDED[purpose] = calls.append
    return calls


@pytest.fixture
def son_policy(alice: User) -> Policy:
    return Policy.objects.get(number="001-0000002")


def start_deposit(user: User, policies: list[Policy], amount: int = 300_00, **kwargs: object) -> Payment:
    numbers = ",".join(str(p.pk) for p in policies)
    params: dict = {
        "user": user,
        "purpose": PaymentPurpose.DEPOSIT,
        "items": [
            services.ItemSpec(policy=p, amount_kopecks=amount, description=f"Авансовый платёж, полис № {p.number}")
            for p in policies
        ],
        "description": "Неснижаемый авансовый платёж по франшизе",
        "subject_key": f"deposit:policies={numbers}",
        "return_url": "/my/franchise/",
        "receipt_contact": "alice@example.ru",
    }
    params.update(kwargs)
    return services.payment_start(**params)


def pay_in_sandbox(payment: Payment, outcome: str = "succeeded") -> None:
    """The tester's click on the sandbox page, without the page: the gateway now says `outcome`,
    and nobody has told us yet."""
    sandbox_decide(payment=payment, outcome=outcome)
