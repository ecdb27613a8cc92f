"""The clinic clerk's franchise activation notices: the people whose franchise was activated and
who reach the clinic through its registry. The clinic confirms each within 5 working days; until
then the person books through the medical desk. Only the clerk's own clinic."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from polis import clock
from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.billing.selectors import clinic_notices_for_clerk
from polis.billing.services import clinic_notice_confirm
from polis.network.selectors import clinic_of

NOTICES_PER_PAGE = 50


@role_required(Role.CLINIC)
def franchise_notices(request: HttpRequest) -> HttpResponse:
    clerk = viewer(request)
    clinic = clinic_of(viewer=clerk)  # a clerk without a clinic: 404
    notices = clinic_notices_for_clerk(clerk=clerk).select_related("confirmed_by")
    page = Paginator(notices, NOTICES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "billing/clinic/notices.html",
        {
            "clinic": clinic,
            "page_obj": page,
            "waiting_count": notices.filter(confirmed_at__isnull=True).count(),
            "today": clock.today(),
        },
    )


@role_required(Role.CLINIC)
@require_POST
def franchise_notice_confirm(request: HttpRequest, notice_id: int) -> HttpResponse:
    clerk = viewer(request)
    clinic_of(viewer=clerk)
    # Asked before confirming only to word the answer; the confirmation itself is a conditional
    # UPDATE, so two clicks keep the first one's time and clerk.
    earlier = clinic_notices_for_clerk(clerk=clerk).filter(pk=notice_id, confirmed_at__isnull=False).first()
    notice = clinic_notice_confirm(clerk=clerk, notice_id=notice_id)  # another clinic's: 404
    name = notice.activation.policy.insured.full_name
    if earlier is not None and notice.confirmed_at is not None:
        when = notice.confirmed_at.astimezone(clock.local_zone()).strftime("%d.%m.%Y %H:%M")
        messages.info(request, _("Активация для %(name)s уже подтверждена %(when)s.") % {"name": name, "when": when})
    else:
        messages.success(request, _("Активация франшизы подтверждена: %(name)s.") % {"name": name})
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(reverse("clinic:franchise_notices"))
