"""The contract administrator's (HR) console: its people, their policies and policy PDFs."""

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from polis.accounts.models import Role, User
from polis.accounts.permissions import role_required, viewer
from polis.coverage import hr_selectors, pdf
from polis.coverage.hr_selectors import PeopleFilter, PersonStatus
from polis.coverage.models import Contract, Program

PEOPLE_PER_PAGE = 50


class PeopleFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Поиск"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("ФИО, номер полиса или табельный номер")}),
    )
    contract: forms.ModelChoiceField[Contract] = forms.ModelChoiceField(
        label=_("Договор"), queryset=None, required=False, empty_label=_("Все")
    )
    program: forms.ModelChoiceField[Program] = forms.ModelChoiceField(
        label=_("Программа"), queryset=None, required=False, empty_label=_("Все")
    )
    status = forms.ChoiceField(
        label=_("Статус"),
        required=False,
        choices=[
            ("", _("Все")),
            (PersonStatus.ACTIVE, _("Действует")),
            (PersonStatus.PENDING, _("Не вступил в силу")),
            (PersonStatus.ENDED, _("Окончен или прекращён")),
        ],
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices come from the viewer's own contracts: another contract's id is simply invalid.
        contracts = hr_selectors.hr_contracts(viewer=viewer)
        self.fields["contract"].queryset = contracts  # type: ignore[attr-defined]
        self.fields["program"].queryset = hr_selectors.hr_programs(viewer=viewer)  # type: ignore[attr-defined]
        self.fields["program"].label_from_instance = self._program_label  # type: ignore[attr-defined]

    @staticmethod
    def _program_label(program: Any) -> str:
        return f"{program.name} (№ {program.contract.number})"

    def to_filter(self) -> PeopleFilter:
        """What to filter by; a field that did not validate filters nothing and shows its error."""
        data = self.cleaned_data if self.is_bound else {}
        contract = data.get("contract")
        program = data.get("program")
        return PeopleFilter(
            query=(data.get("q") or "").strip(),
            contract_id=contract.pk if contract else None,
            program_id=program.pk if program else None,
            status=data.get("status") or "",
        )


@role_required(Role.HR)
def people(request: HttpRequest) -> HttpResponse:
    me = viewer(request)
    form = PeopleFilterForm(request.GET or None, viewer=me)
    if form.is_bound:
        form.is_valid()
    filters = form.to_filter()
    contracts = list(hr_selectors.hr_contracts(viewer=me))
    page = Paginator(hr_selectors.hr_people(viewer=me, filters=filters), PEOPLE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "hr/people.html",
        {
            "form": form,
            "contracts": contracts,
            "page_obj": page,
            "counts": hr_selectors.hr_people_counts(viewer=me, filters=filters),
            "query_string": query.urlencode(),
        },
    )


@role_required(Role.HR)
def person(request: HttpRequest, pk: int) -> HttpResponse:
    me = viewer(request)
    policy = hr_selectors.hr_policy(viewer=me, pk=pk)
    return render(
        request,
        "hr/person.html",
        {
            "policy": policy,
            "person": policy.insured,
            "relatives": hr_selectors.hr_relatives_policies(viewer=me, policy=policy),
        },
    )


@role_required(Role.HR)
def policy_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """HR prints the policies of its contract's people (with the contract's own note on them)."""
    policy = hr_selectors.hr_policy(viewer=viewer(request), pk=pk)
    filename, display_name = pdf.policy_pdf_filename(policy)
    return pdf.pdf_attachment(pdf.render_policy_pdf(policy=policy), filename=filename, display_name=display_name)


@role_required(Role.HR)
def contract(request: HttpRequest, pk: int) -> HttpResponse:
    me = viewer(request)
    found = hr_selectors.hr_contract(viewer=me, pk=pk)
    return render(
        request,
        "hr/contract.html",
        {"contract": found, "programs": hr_selectors.hr_contract_programs(viewer=me, contract=found)},
    )
