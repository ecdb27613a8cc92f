"""The medical desk's console (ЦМП): find the caller, see what their policy covers and where
they can go. Requests and guarantee letters come with the medical desk issue."""

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.care import desk_selectors, selectors
from polis.care.selectors import DeskQuery
from polis.coverage.selectors import policy_overview
from polis.phone import MobilePhoneField


class DeskSearchForm(forms.Form):
    policy_number = forms.CharField(label=_("Номер полиса"), required=False, max_length=40)
    phone = MobilePhoneField(label=_("Телефон"), required=False)
    full_name = forms.CharField(
        label=_("ФИО"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Смирнова Ирина")}),
    )
    birth_date = forms.DateField(
        label=_("Дата рождения"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": _("Введите дату в формате ДД.ММ.ГГГГ.")},
    )

    def clean_policy_number(self) -> str:
        number = "".join(self.cleaned_data["policy_number"].split())
        if number and len(number) < 3:
            raise forms.ValidationError(_("Введите не меньше трёх символов номера полиса."))
        return number

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if name and len(name) < 2:
            raise forms.ValidationError(_("Введите фамилию полностью."))
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name, birth_date = data.get("full_name"), data.get("birth_date")
        # A name alone matches too many people to read out a policy to a caller.
        if name and not birth_date and "birth_date" not in self.errors:
            self.add_error("birth_date", _("Для поиска по ФИО укажите и дату рождения."))
        if birth_date and not name and "full_name" not in self.errors:
            self.add_error("full_name", _("Для поиска по дате рождения укажите и фамилию."))
        if not self.errors and not (data.get("policy_number") or data.get("phone") or name):
            raise forms.ValidationError(_("Укажите номер полиса, телефон или ФИО с датой рождения."))
        return data

    def to_query(self) -> DeskQuery:
        data = self.cleaned_data
        return DeskQuery(
            policy_number=data.get("policy_number", ""),
            phone=data.get("phone", ""),
            name=data.get("full_name", ""),
            birth_date=data.get("birth_date"),
        )


@role_required(Role.DESK)
def search(request: HttpRequest) -> HttpResponse:
    form = DeskSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        results = selectors.desk_search(viewer=viewer(request), query=form.to_query())
    return render(
        request,
        "care/search.html",
        {"form": form, "results": results, "limit": selectors.SEARCH_LIMIT},
    )


@role_required(Role.DESK)
def policy(request: HttpRequest, pk: int) -> HttpResponse:
    me = viewer(request)
    found = selectors.desk_policy(viewer=me, pk=pk)
    return render(
        request,
        "care/policy.html",
        {
            "o": policy_overview(policy=found),
            "policy": found,
            "person": found.insured,
            "others": selectors.desk_other_policies(viewer=me, policy=found),
            "requests": desk_selectors.requests_for_policy(viewer=me, policy_id=found.pk),
        },
    )
