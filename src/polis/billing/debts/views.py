"""«Задолженность по франшизе» for a contract's administrator (/hr/debts/): the month's report
on the page and as CSV. Amounts only: nothing about services or diagnoses (323-FZ art. 13)."""

import csv
import datetime as dt

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.billing.debts import selectors
from polis.billing.models import DebtReport
from polis.coverage.hr_selectors import hr_contracts
from polis.coverage.models import Contract
from polis.jobs.exports import spreadsheet_safe

ROWS_PER_PAGE = 50
hr_only = role_required(Role.HR)


def _contract(request: HttpRequest) -> Contract | None:
    raw = request.GET.get("contract") or ""
    if raw and not raw.isdigit():
        raise Http404(_("Договор не найден"))
    return selectors.hr_debt_contract(viewer=viewer(request), contract_id=int(raw) if raw else None)


def _month(request: HttpRequest, months: list[dt.date]) -> dt.date:
    """The month asked for (ГГГГ-ММ) if the report covers it, else the current one."""
    raw = request.GET.get("month") or ""
    try:
        wanted = dt.date.fromisoformat(f"{raw}-01")
    except ValueError:
        return months[0]
    return wanted if wanted in months else months[0]


@hr_only
def hr_debts(request: HttpRequest) -> HttpResponse:
    contract = _contract(request)
    if contract is None:
        return render(request, "billing/debts/hr.html", {"contract": None})
    months = selectors.report_months(contract=contract)
    month = _month(request, months)
    rows = selectors.debt_report(contract=contract, month=month)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "contract": contract,
        "contracts": list(hr_contracts(viewer=viewer(request))),
        "months": months,
        "month": month,
        "page_obj": page,
        "people": len(rows),
        "total": sum(r.outstanding_kopecks for r in rows),
        "cutoff": selectors.report_cutoff(month),
        "reports": list(DebtReport.objects.filter(contract=contract).order_by("-month")[:12]),
        "query_string": query.urlencode(),
    }
    return render(request, "billing/debts/hr.html", context)


@hr_only
def hr_debts_csv(request: HttpRequest) -> HttpResponse:
    """One row per debtor of one contract: small enough to build whole."""
    contract = _contract(request)
    if contract is None:
        raise Http404(_("Договор не найден"))
    month = _month(request, selectors.report_months(contract=contract))
    rows = selectors.debt_report(contract=contract, month=month)
    # UTF-8 with a BOM and ';': what Russian Excel opens without asking.
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    for row in selectors.report_table(rows):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    name = f"debts-{contract.number}-{month:%Y-%m}.csv".replace("/", "-").replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
