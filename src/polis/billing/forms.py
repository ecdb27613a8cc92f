"""Forms of «Оплата франшизы». Which people a viewer may act for is the services' question (a
stranger's policy is not found): the checkboxes only offer the viewer's own people."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from polis.billing.selectors import PersonFranchise


class PeopleField(forms.TypedMultipleChoiceField):
    def valid_value(self, value: Any) -> bool:
        # Any id passes here; the service looks it up through the viewer's selector.
        return str(value).isdigit()


def _people_field(people: list[PersonFranchise]) -> PeopleField:
    return PeopleField(
        label=_("Для кого"),
        coerce=int,
        choices=[(p.policy.pk, p.policy.insured.full_name) for p in people],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Отметьте хотя бы одного человека.")},
    )


class PeopleForm(forms.Form):
    def __init__(self, *args: Any, people: list[PersonFranchise], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"policies": [p.policy.pk for p in people]})
        super().__init__(*args, **kwargs)
        self.people = people
        self.fields = {"policies": _people_field(people), **self.fields}

    def chosen(self) -> set[int]:
        value = self["policies"].value() or []
        return {int(v) for v in value if str(v).isdigit()}


class ConsentForm(PeopleForm):
    agreed = forms.BooleanField(
        label=_(
            "Ознакомлен(а) с порядком оказания услуг с франшизой и согласен(на) на обслуживание по программе "
            "с франшизой для отмеченных застрахованных"
        ),
        error_messages={"required": _("Подтвердите, что ознакомились с порядком и согласны.")},
    )


class DepositForm(PeopleForm):
    pass


class CardForm(PeopleForm):
    agreed = forms.BooleanField(
        label=_("Прочитал(а) соглашение об автоплатежах и согласен(на) на списания по нему"),
        error_messages={"required": _("Подтвердите согласие с соглашением об автоплатежах.")},
    )
