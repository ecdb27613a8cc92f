"""A stand-in for YooKassa's HTTP API under the official SDK: the SDK builds and validates the
request as in production; only the HTTP exchange (ApiClient.execute) is replaced."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from yookassa.client import ApiClient

CONFIRMATION_URL = "https://yoomoney.ru/checkout/payments/v2/contract?orderId=2f1c"


@dataclass
class Sent:
    method: str
    path: str
    body: dict | None
    headers: dict


@dataclass
class FakeResponse:
    status_code: int
    payload: dict

    def json(self) -> dict:
        return self.payload


@dataclass
class FakeYooKassa:
    """Answers by path; `payments` holds what YooKassa would return for GET /payments/<id>."""

    payments: dict[str, dict] = field(default_factory=dict)
    refunds: dict[str, dict] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    fail_with: Callable[[Sent], FakeResponse | None] | None = None
    counter: int = 0

    def execute(self, body: Any, method: str, path: str, query_params: Any, headers: dict) -> FakeResponse:
        # The body goes out as JSON: check it survives that, as requests would.
        body = json.loads(json.dumps(body)) if body is not None else None
        sent = Sent(method=str(method).upper(), path=path, body=body, headers=headers)
        self.sent.append(sent)
        if self.fail_with is not None:
            failure = self.fail_with(sent)
            if failure is not None:
                return failure
        if sent.method == "POST" and path == "/payments":
            return FakeResponse(200, self._create_payment(sent))
        if sent.method == "GET" and path.startswith("/payments/"):
            return FakeResponse(200, self.payments[path.rsplit("/", 1)[1]])
        if sent.method == "POST" and path == "/refunds":
            return FakeResponse(200, self._create_refund(sent))
        if sent.method == "GET" and path.startswith("/refunds/"):
            return FakeResponse(200, self.refunds[path.rsplit("/", 1)[1]])
        raise AssertionError(f"unexpected request {method} {path}")

    def _create_payment(self, sent: Sent) -> dict:
        assert sent.body is not None
        key = sent.headers["Idempotence-Key"]
        for payment in self.payments.values():
            if payment["_key"] == key:  # YooKassa's idempotence: the same answer for the same key
                return payment
        self.counter += 1
        gateway_id = f"30a6c2d1-000f-5000-9000-{self.counter:012d}"
        payment = {
            "_key": key,
            "id": gateway_id,
            "status": "pending",
            "paid": False,
            "amount": sent.body["amount"],
            "description": sent.body.get("description", ""),
            "metadata": sent.body.get("metadata", {}),
            "created_at": "2026-11-20T09:00:00.000Z",
            "recipient": {"account_id": "123456", "gateway_id": "654321"},
            "refundable": False,
            "test": True,
        }
        if "confirmation" in sent.body:
            payment["confirmation"] = {"type": "redirect", "confirmation_url": CONFIRMATION_URL}
        if "payment_method_id" in sent.body:
            payment.update(succeeded(sent.body["payment_method_id"], saved=True))
        self.payments[gateway_id] = payment
        return payment

    def _create_refund(self, sent: Sent) -> dict:
        assert sent.body is not None
        self.counter += 1
        refund = {
            "id": f"30a6c2d1-0015-5000-a000-{self.counter:012d}",
            "payment_id": sent.body["payment_id"],
            "status": "succeeded",
            "amount": sent.body["amount"],
            "created_at": "2026-11-20T09:05:00.000Z",
        }
        self.refunds[refund["id"]] = refund
        return refund

    def pay(self, gateway_id: str, *, saved: bool = False) -> None:
        """The payer completes YooKassa's page."""
        self.payments[gateway_id].update(succeeded(f"pm-{gateway_id}", saved=saved))

    def decline(self, gateway_id: str, reason: str = "insufficient_funds") -> None:
        self.payments[gateway_id].update(
            {"status": "canceled", "cancellation_details": {"party": "payment_network", "reason": reason}}
        )


def succeeded(method_id: str, *, saved: bool) -> dict:
    return {
        "status": "succeeded",
        "paid": True,
        "captured_at": "2026-11-20T09:01:00.000Z",
        "receipt_registration": "pending",
        "payment_method": {
            "type": "bank_card",
            "id": method_id,
            "saved": saved,
            "title": "Bank card *4444",
            "card": {
                "first6": "555555",
                "last4": "4444",
                "expiry_month": "07",
                "expiry_year": "2030",
                "card_type": "MasterCard",
                "issuer_country": "RU",
            },
        },
    }


@contextmanager
def fake_yookassa() -> Iterator[FakeYooKassa]:
    fake = FakeYooKassa()

    def execute(client: ApiClient, body: Any, method: Any, path: str, query_params: Any, headers: dict) -> Any:
        return fake.execute(body, method, path, query_params, headers)

    with mock.patch.object(ApiClient, "execute", execute):
        yield fake
