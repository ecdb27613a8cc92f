"""The insured person's profile: contacts, consents, withdrawing consent, adding a policy.
Insured only: every other role gets 403."""

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from polis import clock
from polis.accounts import selectors, services
from polis.accounts.forms import ConsentWithdrawForm, PolicyAddForm
from polis.accounts.models import ConsentKind, Role, User
from polis.accounts.permissions import role_required
from polis.accounts.services import AccountsError
from polis.accounts.views import show_error

insured_only = role_required(Role.INSURED)


def _viewer(request: HttpRequest) -> User:
    return cast(User, request.user)


def _profile_context(viewer: User) -> dict[str, object]:
    return {
        "consents": selectors.consents_of(viewer=viewer),
        "personal_consent": selectors.consent_live(viewer=viewer, kind=ConsentKind.PERSONAL_DATA),
        "personal_withdrawn": selectors.personal_data_withdrawn(viewer=viewer),
        "marketing_consent": selectors.consent_live(viewer=viewer, kind=ConsentKind.MARKETING),
        "marketing_text": selectors.consent_text_current(kind=ConsentKind.MARKETING),
        # Times people read are Moscow's (DOMAIN.md), not the database's UTC.
        "local_zone": clock.local_zone(),
    }


@insured_only
def profile(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    return render(request, "accounts/profile.html", {**_profile_context(viewer), "policy_form": PolicyAddForm()})


@insured_only
@require_POST
def marketing(request: HttpRequest) -> HttpResponse:
    """Turn the optional news consent on or off. Nothing else depends on it."""
    viewer = _viewer(request)
    if request.POST.get("action") == "on":
        try:
            services.consent_give(user=viewer, kind=ConsentKind.MARKETING, ip=services.client_ip(request))
        except AccountsError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Вы подписались на новости и предложения."))
    else:
        services.consent_withdraw(user=viewer, kind=ConsentKind.MARKETING)
        messages.success(request, _("Вы отказались от новостей и предложений. На обслуживание это не влияет."))
    return redirect("accounts:profile")


@insured_only
@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest) -> HttpResponse:
    """A confirmation page first: withdrawing ends the person's coverage today."""
    viewer = _viewer(request)
    consent = selectors.consent_live(viewer=viewer, kind=ConsentKind.PERSONAL_DATA)
    if consent is None:
        messages.info(request, _("Согласие на обработку персональных данных не действует — отзывать нечего."))
        return redirect("accounts:profile")
    form = ConsentWithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.consent_withdraw(user=viewer, kind=ConsentKind.PERSONAL_DATA)
        messages.warning(
            request,
            _(
                "Согласие отозвано. Страхование по вашим полисам прекращено, администратор договора уведомлён. "
                "Подробности — в уведомлении и письме на ваш e-mail."
            ),
        )
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/consent_withdraw.html",
        {"form": form, "consent": consent, "policies": selectors.policies_ending_on_withdrawal(viewer=viewer)},
    )


@insured_only
@require_http_methods(["GET", "POST"])
def policy_add(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    form = PolicyAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.policy_attach(user=viewer, number=form.cleaned_data["number"])
        except AccountsError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Полис № %(number)s добавлен в личный кабинет.") % {"number": policy.number})
            return redirect("home")
    return render(request, "accounts/policy_add.html", {"form": form})
