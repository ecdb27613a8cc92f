"""«Оплата франшизы»: one page with a card per person and the actions their contract allows.
Views parse, call a service and render; the rules are in services, selectors and rules."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.billing import rules, selectors, services
from polis.billing.forms import CardForm, ConsentForm, DepositForm, PeopleForm
from polis.billing.selectors import PersonFranchise
from polis.billing.services import ActivationStart, FranchiseError
from polis.coverage.models import FranchiseActivation as Method
from polis.money import format_rub
from polis.payments.models import PaymentPurpose, PaymentStatus
from polis.payments.selectors import payments_for_user
from polis.payments.services import AUTOPAY_AGREEMENT_VERSION

insured_only = role_required(Role.INSURED)


def _eligible(people: list[PersonFranchise], method: str) -> list[PersonFranchise]:
    return [p for p in people if p.method == method and p.can_activate]


def _page(request: HttpRequest, *, bound: PeopleForm | None = None, status: int = 200) -> HttpResponse:
    user = viewer(request)
    people = selectors.franchise_people(user=user)

    def form(cls: type[PeopleForm], method: str) -> PeopleForm:
        if bound is not None and isinstance(bound, cls):
            return bound
        return cls(people=_eligible(people, method))

    deposit_form = form(DepositForm, Method.DEPOSIT)
    chosen = deposit_form.chosen()
    deposit_people = _eligible(people, Method.DEPOSIT)
    card = services.live_card(user=user)
    context: dict[str, Any] = {
        "people": people,
        "consent_form": form(ConsentForm, Method.CONSENT),
        "deposit_form": deposit_form,
        "deposit_people": deposit_people,
        "deposit_total": sum(p.deposit_to_pay for p in deposit_people if p.policy.pk in chosen),
        "deposit_minimum": max((p.policy.program.deposit_minimum_kopecks for p in deposit_people), default=0),
        "card_form": form(CardForm, Method.CARD),
        "card": card,
        "card_people": [p for p in people if p.method == Method.CARD],
        "card_activations": sum(
            1 for p in people if p.status.activation is not None and p.status.activation.method == Method.CARD
        ),
        "autopay_cap": services.autopay_cap_kopecks(),
        "autopay_version": AUTOPAY_AGREEMENT_VERSION,
        "consent_terms_version": rules.CONSENT_TERMS_VERSION,
        "history_url": reverse("payments:history"),
        "pending_payments": list(
            payments_for_user(user=user).filter(
                status=PaymentStatus.PENDING, purpose__in=[PaymentPurpose.DEPOSIT, PaymentPurpose.CARD_BINDING]
            )[:5]
        ),
    }
    return render(request, "billing/franchise.html", context, status=status)


@insured_only
def franchise(request: HttpRequest) -> HttpResponse:
    return _page(request)


@insured_only
@require_POST
def consent(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    people = _eligible(selectors.franchise_people(user=user), Method.CONSENT)
    form = ConsentForm(request.POST, people=people)
    if form.is_valid():
        try:
            activations = services.franchise_consent_give(
                user=user, policy_ids=form.cleaned_data["policies"], agreed=form.cleaned_data["agreed"]
            )
        except FranchiseError as error:
            form.add_error(None, error.message)
        else:
            for activation in activations:
                messages.success(
                    request,
                    _("%(name)s: франшиза вступит в силу %(when)s.")
                    % {
                        "name": activation.policy.insured.full_name,
                        "when": selectors.format_moment(activation.effective_at),
                    },
                )
            return redirect("billing:franchise")
    return _page(request, bound=form)


def _after_start(request: HttpRequest, started: ActivationStart) -> HttpResponse:
    for activation in started.activated:
        messages.success(
            request,
            _("%(name)s: оплачивать не нужно, аванс уже внесён; франшиза вступит в силу %(when)s.")
            % {
                "name": activation.policy.insured.full_name,
                "when": selectors.format_moment(activation.effective_at),
            },
        )
    for policy in started.already:
        messages.info(request, _("%(name)s: франшиза уже активирована.") % {"name": policy.insured.full_name})
    if started.payment is not None:
        return redirect(started.payment.confirmation_url)
    return redirect("billing:franchise")


@insured_only
@require_POST
def deposit(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    people = _eligible(selectors.franchise_people(user=user), Method.DEPOSIT)
    form = DepositForm(request.POST, people=people)
    if form.is_valid():
        try:
            started = services.franchise_deposit_start(
                user=user, policy_ids=form.cleaned_data["policies"], return_url=reverse("billing:returned")
            )
        except FranchiseError as error:
            form.add_error(None, error.message)
        else:
            return _after_start(request, started)
    return _page(request, bound=form)


@insured_only
@require_POST
def card_bind(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    people = _eligible(selectors.franchise_people(user=user), Method.CARD)
    form = CardForm(request.POST, people=people)
    if form.is_valid():
        try:
            started = services.franchise_card_bind_start(
                user=user,
                policy_ids=form.cleaned_data["policies"],
                agreed=form.cleaned_data["agreed"],
                return_url=reverse("billing:returned"),
            )
        except FranchiseError as error:
            form.add_error(None, error.message)
        else:
            return _after_start(request, started)
    return _page(request, bound=form)


@insured_only
def card_unbind(request: HttpRequest) -> HttpResponse:
    """GET: what unbinding will do, and a confirmation; POST: do it."""
    user = viewer(request)
    if request.method == "POST":
        ended = services.franchise_card_unbind(user=user)
        if ended:
            messages.warning(
                request,
                _("Карта отвязана. Франшиза, активированная привязкой карты, прекращена (%(n)s).") % {"n": ended},
            )
        else:
            messages.info(request, _("Карта отвязана."))
        return redirect("billing:franchise")
    card = services.live_card(user=user)
    if card is None:
        return redirect("billing:franchise")
    people = [
        p
        for p in selectors.franchise_people(user=user)
        if p.status.activation is not None and p.status.activation.method == Method.CARD
    ]
    return render(request, "billing/card_unbind.html", {"card": card, "people": people})


@insured_only
@require_POST
def refund_apply(request: HttpRequest, policy_id: int) -> HttpResponse:
    try:
        application = services.refund_application_submit(user=viewer(request), policy_id=policy_id)
    except FranchiseError as error:
        messages.error(request, error.message)
    else:
        if application.answer:
            messages.info(request, application.answer)
        else:
            messages.success(
                request,
                _("Заявление на возврат аванса %(sum)s принято.") % {"sum": format_rub(application.amount_kopecks)},
            )
    return redirect("billing:franchise")


@insured_only
def returned(request: HttpRequest) -> HttpResponse:
    """Where the payments' return page sends the payer back: a word on how it went, then the
    overview (whose statuses say the rest)."""
    payment = (
        payments_for_user(user=viewer(request))
        .filter(purpose__in=[PaymentPurpose.DEPOSIT, PaymentPurpose.CARD_BINDING])
        .order_by("-created_at")
        .first()
    )
    if payment is None:
        return redirect("billing:franchise")
    if payment.status == PaymentStatus.SUCCEEDED:
        if payment.purpose == PaymentPurpose.DEPOSIT:
            messages.success(request, _("Авансовый платёж получен. Дата, с которой действует франшиза, — ниже."))
        else:
            messages.success(request, _("Карта привязана. Дата, с которой действует франшиза, — ниже."))
    elif payment.status == PaymentStatus.CANCELED:
        messages.error(
            request,
            _("Платёж не прошёл: %(why)s. Франшиза не активирована — попробуйте ещё раз.")
            % {"why": (payment.cancel_reason or _("банк не подтвердил оплату")).rstrip(".")},
        )
    else:
        messages.info(request, _("Ждём подтверждения оплаты от банка: статус обновится на этой странице."))
    return redirect("billing:franchise")
