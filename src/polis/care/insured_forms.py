"""Forms of the insured's desk pages. They parse what was typed; the rules (which policy, kind,
clinic and date are allowed, which files are taken) are care.requests'."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from polis.care.models import ContactChannel, EscalationTo, TimeWindow, Urgency
from polis.care.states import CareError
from polis.coverage.models import Policy
from polis.network.models import Clinic, KindOfCare
from polis.uploads import MAX_FILES, MultipleFileField

DATE_INVALID = _("Введите дату в формате ДД.ММ.ГГГГ.")


class RefusalMixin:
    """Puts a service's refusal next to the field it names (the form's own name for it)."""

    FIELD_NAMES: dict[str, str] = {}

    def add_refusal(self, error: CareError) -> None:
        form: Any = self
        field = self.FIELD_NAMES.get(error.field or "", error.field)
        form.add_error(field if field in form.fields else None, error.message)


def policy_label(policy: Policy) -> str:
    own = getattr(policy, "is_own", policy.holder_id is None)
    who = _("я") if own else policy.get_relation_display().lower()
    return f"{policy.insured.full_name} ({who}), № {policy.number}"


class RequestForm(RefusalMixin, forms.Form):
    FIELD_NAMES = {"files": "attachments"}

    policy = forms.TypedChoiceField(label=_("Кому нужна помощь"), coerce=int)
    complaints = forms.CharField(
        label=_("Жалобы"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Что беспокоит, с какого времени, что уже делали. При угрозе жизни звоните 103 или 112."),
    )
    kind = forms.ChoiceField(label=_("Вид помощи"), choices=KindOfCare.choices)
    clinic: forms.ModelChoiceField[Clinic] = forms.ModelChoiceField(
        label=_("Клиника"),
        queryset=Clinic.objects.none(),
        required=False,
        empty_label=_("Пусть пульт подберёт"),
        help_text=_("Только клиники вашей программы."),
    )
    desired_date = forms.DateField(
        label=_("Желаемая дата"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": DATE_INVALID},
        help_text=_("Не раньше сегодняшнего дня и не больше чем на год вперёд."),
    )
    time_windows = forms.MultipleChoiceField(
        label=_("Удобное время"), choices=TimeWindow.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    urgency = forms.ChoiceField(
        label=_("Срочность"), choices=Urgency.choices, initial=Urgency.ROUTINE, widget=forms.RadioSelect
    )
    contact_channel = forms.ChoiceField(
        label=_("Как с вами связаться"),
        choices=ContactChannel.choices,
        initial=ContactChannel.CALL,
        widget=forms.RadioSelect,
    )
    contact_phone = forms.CharField(
        label=_("Телефон для связи"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "placeholder": "+7 912 345-67-89"}),
        help_text=_("Если пусто — номер из профиля."),
    )
    attachments = MultipleFileField(
        label=_("Файлы"),
        required=False,
        help_text=_("До %(n)s файлов: фото, сканы направлений и анализов (JPEG, PNG, HEIC, PDF), каждый до 25 МБ.")
        % {"n": MAX_FILES},
    )

    def __init__(
        self, *args: Any, policies: list[Policy], clinics: Any, kinds: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if kinds:
            self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        self.policies = {p.pk: p for p in policies}
        self.fields["policy"].choices = [(p.pk, policy_label(p)) for p in policies]  # type: ignore[attr-defined]
        self.fields["clinic"].queryset = clinics  # type: ignore[attr-defined]

    def chosen_policy(self) -> Policy:
        return self.policies[self.cleaned_data["policy"]]


class CancelForm(forms.Form):
    pass


class EscalationForm(RefusalMixin, forms.Form):
    to = forms.ChoiceField(
        label=_("Кому"), choices=EscalationTo.choices, initial=EscalationTo.CURATOR, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("С чем вы не согласны"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PassForm(RefusalMixin, forms.Form):
    photo = forms.FileField(
        label=_("Фотография"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        help_text=_("Фото лица, как на документ: JPEG, PNG или HEIC, до 25 МБ."),
    )
    document = forms.CharField(
        label=_("Документ, удостоверяющий личность"),
        max_length=100,
        help_text=_("Вид, серия и номер, например «Паспорт РФ 4510 123456»."),
    )
    car_number = forms.CharField(label=_("Номер автомобиля"), max_length=20, required=False)


RATINGS = [(n, str(n)) for n in range(5, 0, -1)]


class RateForm(RefusalMixin, forms.Form):
    doctor_rating = forms.TypedChoiceField(
        label=_("Оценка врача"), choices=RATINGS, coerce=int, widget=forms.RadioSelect
    )
    desk_rating = forms.TypedChoiceField(
        label=_("Оценка работы пульта"), choices=RATINGS, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Отзыв"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class MissedForm(RefusalMixin, forms.Form):
    reason = forms.CharField(
        label=_("Почему визит не состоялся"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
