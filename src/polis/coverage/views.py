"""The insured person's pages: the dashboard of policies, one policy with its memo, the PDFs."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from polis.accounts.models import Role
from polis.care.hours import desk_now
from polis.care.insured_selectors import upcoming_visits_for_user
from polis.coverage import pdf, selectors
from polis.network.booking_selectors import upcoming_bookings_for_user

View = Callable[..., HttpResponse]
UPCOMING_ON_DASHBOARD = 5


def insured_required(view: View) -> View:
    """Logged in, and as an insured person: staff roles have their own consoles (403 here)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request.user, "role", None) != Role.INSURED:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


@insured_required
def dashboard(request: HttpRequest) -> HttpResponse:
    policies = list(selectors.policies_for_user(user=request.user))
    # The person's own record says which city's desk to show; without a policy, the federal one.
    city = next((p.insured.city for p in policies if p.is_own and p.insured.city), "")  # type: ignore[attr-defined]
    return render(
        request,
        "coverage/dashboard.html",
        {
            "policies": policies,
            # The number to call now, by the desk's hours in the person's city.
            "desk_now": desk_now(city=city),
            # One query however many relatives: the next few visits booked online.
            "upcoming_bookings": list(upcoming_bookings_for_user(user=request.user)[:UPCOMING_ON_DASHBOARD]),
            # And the visits the medical desk booked (with a guarantee letter).
            "upcoming_visits": list(upcoming_visits_for_user(user=request.user)[:UPCOMING_ON_DASHBOARD]),
        },
    )


@insured_required
def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = selectors.policy_for_user(user=request.user, policy_id=policy_id)
    return render(request, "coverage/policy.html", {"o": selectors.policy_overview(policy=policy)})


@insured_required
def policy_pdf(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = selectors.policy_for_user(user=request.user, policy_id=policy_id)
    filename, display_name = pdf.policy_pdf_filename(policy)
    return pdf.pdf_attachment(pdf.render_policy_pdf(policy=policy), filename=filename, display_name=display_name)


@insured_required
def memo_pdf(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = selectors.policy_for_user(user=request.user, policy_id=policy_id)
    filename, display_name = pdf.memo_pdf_filename(policy)
    return pdf.pdf_attachment(pdf.render_memo_pdf(policy=policy), filename=filename, display_name=display_name)
