"""Payment pages: the sandbox's hosted page, the return page, history and receipts; and the
notification endpoints the gateways call."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.payments import receipts, selectors, services, tasks
from polis.payments.gateways.base import GatewayError
from polis.payments.gateways.sandbox import sandbox_decide
from polis.payments.models import Payment, PaymentStatus, SandboxPaymentState
from polis.payments.webhooks import notification_sender, sandbox_sender_allowed, yookassa_sender_allowed

logger = logging.getLogger("polis.payments")
PER_PAGE = 25
SANDBOX_OUTCOMES = ("succeeded", "canceled", "pending")


# --- the sandbox's hosted page --------------------------------------------------------------


@role_required(Role.INSURED)
@require_http_methods(["GET", "POST"])
def sandbox(request: HttpRequest, payment_id: Any) -> HttpResponse:
    if settings.PAYMENTS_GATEWAY != "sandbox":
        # Once a real gateway is configured, a leftover sandbox payment must not be "paid" here.
        raise Http404
    payment, state = selectors.sandbox_payment_for_user(user=viewer(request), payment_id=payment_id)
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        if outcome not in SANDBOX_OUTCOMES:
            return HttpResponseBadRequest(_("Выберите исход оплаты."))
        decided = sandbox_decide(payment=payment, outcome=outcome)
        if decided is not None:
            _notify_self(decided)
        return redirect("payments:return", payment.pk)
    return render(request, "payments/sandbox.html", {"payment": payment, "state": state})


def _notify_self(state: SandboxPaymentState) -> None:
    # What a real gateway does after the payer's choice, done in-process: the same recording and
    # handling as the webhook view, without an HTTP request from a web worker to itself (a
    # single-worker server would wait on its own answer).
    payload = {"type": "notification", "event": f"payment.{state.status}", "object": {"id": state.gateway_id}}
    _accept("sandbox", payload, "127.0.0.1")


# --- after paying, history, receipts ---------------------------------------------------------


@role_required(Role.INSURED)
def return_page(request: HttpRequest, payment_id: Any) -> HttpResponse:
    user = viewer(request)
    payment = selectors.payment_for_user(user=user, payment_id=payment_id)
    unreachable = False
    if payment.status == PaymentStatus.PENDING:
        try:
            services.payment_refresh(payment_id=payment.pk)
        except GatewayError:
            unreachable = True
        payment = selectors.payment_for_user(user=user, payment_id=payment_id)
    return render(
        request,
        "payments/return.html",
        {"payment": payment, "unreachable": unreachable, "next_url": _next_url(request, payment)},
    )


def _next_url(request: HttpRequest, payment: Payment) -> str:
    if payment.return_url and url_has_allowed_host_and_scheme(
        payment.return_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return payment.return_url
    return reverse("payments:history")


@role_required(Role.INSURED)
def history(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.payments_for_user(user=viewer(request)), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "payments/history.html", {"page_obj": page, "payments": page.object_list})


@role_required(Role.INSURED)
def receipt(request: HttpRequest, payment_id: Any) -> HttpResponse:
    payment = selectors.payment_for_user(user=viewer(request), payment_id=payment_id)
    refunds = [
        {"refund": r, "lines": receipts.describe(r.receipt), "sent_to": receipts.sent_to(r.receipt)}
        for r in payment.refunds.all()
    ]
    return render(
        request,
        "payments/receipt.html",
        {
            "payment": payment,
            "lines": receipts.describe(payment.receipt),
            "sent_to": receipts.sent_to(payment.receipt),
            "refunds": refunds,
        },
    )


# --- notifications ----------------------------------------------------------------------------


@csrf_exempt
@require_POST
def webhook_yookassa(request: HttpRequest) -> HttpResponse:
    if not yookassa_sender_allowed(request):
        logger.warning("YooKassa notification refused from %s", request.META.get("REMOTE_ADDR"))
        return HttpResponseForbidden()
    return _receive(request, "yookassa")


@csrf_exempt
@require_POST
def webhook_sandbox(request: HttpRequest) -> HttpResponse:
    if settings.PAYMENTS_GATEWAY != "sandbox":
        raise Http404
    if not sandbox_sender_allowed(request):
        return HttpResponseForbidden()
    return _receive(request, "sandbox")


def _receive(request: HttpRequest, gateway: str) -> HttpResponse:
    try:
        payload = json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest()
    if not isinstance(payload, dict):
        return HttpResponseBadRequest()
    sender = notification_sender(request)
    _accept(gateway, payload, str(sender) if sender else None)
    # 200 whatever the handling does: the row is stored, a failure is recorded on it, and
    # reconciliation applies the payment anyway; a non-200 would only make the gateway repeat.
    return HttpResponse(status=200)


def _accept(gateway: str, payload: dict, remote_addr: str | None) -> None:
    event, needs_handling = services.gateway_event_record(gateway=gateway, payload=payload, remote_addr=remote_addr)
    if needs_handling:
        tasks.process_gateway_event.enqueue(event_id=event.pk)
