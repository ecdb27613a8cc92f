"""Back office for contracts, programs and their rules, insured persons and policies.

Money is edited in kopecks (the fields say so) and shown next to them in rubles, so a typo of
two zeros is seen before it is saved.
"""

import contextlib
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from polis import clock
from polis.coverage.models import (
    Contract,
    ContractInstallment,
    CopayRule,
    InsuredPerson,
    LimitUsage,
    Policy,
    Policyholder,
    PolicyStatus,
    Program,
    ProgramCare,
    ProgramClinic,
    ProgramLimit,
    ServiceMode,
    name_key,
)
from polis.money import format_rub
from polis.phone import InvalidPhone, normalize_phone


def _rub(kopecks: int | None) -> str:
    return format_rub(kopecks) if kopecks is not None else "—"


class NameKeySearchMixin:
    """Names are also matched through name_key (case- and ё-insensitive on every database: SQLite's
    LIKE folds Latin letters only), and a phone however it is typed."""

    name_key_lookup = "name_key"
    phone_lookup = "phone"

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)  # type: ignore[misc]
        term = search_term.strip()
        if not term:
            return results, may_have_duplicates
        extra = Q(**{f"{self.name_key_lookup}__contains": name_key(term)})
        with contextlib.suppress(InvalidPhone):
            extra |= Q(**{self.phone_lookup: normalize_phone(term)})
        return results | queryset.filter(extra), may_have_duplicates


@admin.register(Policyholder)
class PolicyholderAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "inn", "kpp", "phone", "email")
    list_filter = ("kind",)
    search_fields = ("name", "inn")


class ProgramInline(admin.TabularInline):
    model = Program
    fields = ("code", "name", "service_mode", "price_category", "franchise_activation")
    extra = 0
    show_change_link = True


class InstallmentInline(admin.TabularInline):
    model = ContractInstallment
    extra = 0
    verbose_name_plural = _("Даты очередных взносов (письмо на прикрепление действует до ближайшей)")


@admin.register(ContractInstallment)
class ContractInstallmentAdmin(admin.ModelAdmin):
    list_display = ("contract", "due_on")
    list_select_related = ("contract__policyholder",)
    search_fields = ("contract__number",)
    autocomplete_fields = ("contract",)
    date_hierarchy = "due_on"


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("number", "policyholder", "signed_on", "starts_on", "ends_on", "program_count", "policy_count")
    list_filter = ("policyholder__kind", "starts_on", "ends_on")
    list_select_related = ("policyholder",)
    search_fields = ("number", "policyholder__name", "policyholder__inn", "admin_name")
    autocomplete_fields = ("policyholder",)
    filter_horizontal = ("administrators",)
    date_hierarchy = "starts_on"
    inlines = [ProgramInline, InstallmentInline]
    fieldsets = (
        (None, {"fields": ("number", "policyholder", "signed_on", "starts_on", "ends_on")}),
        (
            _("Администратор договора (контакты для застрахованных)"),
            {"fields": ("admin_name", "admin_phone", "admin_email", "admin_hours")},
        ),
        (_("HR-консоль"), {"fields": ("administrators",)}),
        (_("Печать полисов"), {"fields": ("policy_print_note",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contract]:
        return (
            super()
            .get_queryset(request)
            .annotate(program_total=Count("programs", distinct=True), policy_total=Count("policies", distinct=True))
        )

    @admin.display(description=_("программ"), ordering="program_total")
    def program_count(self, obj: Any) -> int:
        return int(obj.program_total)

    @admin.display(description=_("полисов"), ordering="policy_total")
    def policy_count(self, obj: Any) -> int:
        return int(obj.policy_total)


class ProgramCareInline(admin.TabularInline):
    model = ProgramCare
    extra = 0


class ProgramClinicInline(admin.TabularInline):
    model = ProgramClinic
    extra = 0
    autocomplete_fields = ("clinic",)


class CopayRuleInline(admin.TabularInline):
    model = CopayRule
    extra = 0
    fields = ("service_category", "percent", "fixed_kopecks", "fixed_rub")
    readonly_fields = ("fixed_rub",)

    @admin.display(description=_("в рублях"))
    def fixed_rub(self, obj: CopayRule) -> str:
        return _rub(obj.fixed_kopecks)


class ProgramLimitInline(admin.TabularInline):
    model = ProgramLimit
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "contract", "service_mode", "price_category", "franchise_activation", "deposit")
    list_filter = (
        "service_mode",
        "price_category",
        "franchise_activation",
        ("contract", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("contract__policyholder",)
    search_fields = ("name", "code", "contract__number", "contract__policyholder__name")
    autocomplete_fields = ("contract",)
    readonly_fields = ("deposit_per_person_rub", "deposit_minimum_rub")
    inlines = [ProgramCareInline, ProgramClinicInline, CopayRuleInline, ProgramLimitInline]
    fieldsets = (
        (None, {"fields": ("contract", "code", "name", "description")}),
        (
            _("Обслуживание"),
            {"fields": ("service_mode", "price_category", ("tariff_desk_kopecks", "tariff_registry_kopecks"))},
        ),
        (
            _("Франшиза"),
            {
                "fields": (
                    "franchise_activation",
                    ("activation_delay_working_days", "activation_delay_hours"),
                    ("deposit_per_person_kopecks", "deposit_per_person_rub"),
                    ("deposit_minimum_kopecks", "deposit_minimum_rub"),
                    ("payment_deadline_days", "payment_deadline_kind"),
                    "non_payment_consequence",
                )
            },
        ),
    )

    @admin.display(description=_("авансовый платёж"), ordering="deposit_per_person_kopecks")
    def deposit(self, obj: Program) -> str:
        return _rub(obj.deposit_per_person_kopecks) if obj.deposit_per_person_kopecks else "—"

    @admin.display(description=_("в рублях"))
    def deposit_per_person_rub(self, obj: Program) -> str:
        return _rub(obj.deposit_per_person_kopecks)

    @admin.display(description=_("в рублях"))
    def deposit_minimum_rub(self, obj: Program) -> str:
        return _rub(obj.deposit_minimum_kopecks)


@admin.register(ProgramCare)
class ProgramCareAdmin(admin.ModelAdmin):
    list_display = ("program", "kind", "conditions")
    list_filter = ("kind",)
    list_select_related = ("program",)
    search_fields = ("program__name", "program__contract__number")
    autocomplete_fields = ("program",)


@admin.register(ProgramClinic)
class ProgramClinicAdmin(admin.ModelAdmin):
    list_display = ("clinic", "program", "kind", "access_mode")
    list_filter = ("kind", "access_mode", "clinic__city")
    list_select_related = ("clinic", "program__contract")
    search_fields = ("clinic__name", "program__name", "program__contract__number")
    autocomplete_fields = ("program", "clinic")


@admin.register(CopayRule)
class CopayRuleAdmin(admin.ModelAdmin):
    list_display = ("program", "service_category", "percent", "fixed_rub")
    list_filter = ("service_category",)
    list_select_related = ("program",)
    search_fields = ("program__name", "program__contract__number")
    autocomplete_fields = ("program",)
    readonly_fields = ("fixed_rub",)

    @admin.display(description=_("фиксированная сумма"), ordering="fixed_kopecks")
    def fixed_rub(self, obj: CopayRule) -> str:
        return _rub(obj.fixed_kopecks)


@admin.register(ProgramLimit)
class ProgramLimitAdmin(admin.ModelAdmin):
    list_display = ("name", "program", "service_group", "max_count", "period")
    list_filter = ("period",)
    list_select_related = ("program",)
    search_fields = ("name", "service_group", "program__name", "program__contract__number")
    autocomplete_fields = ("program",)


class PolicyOfPersonInline(admin.TabularInline):
    model = Policy
    fk_name = "insured"
    fields = ("number", "contract", "program", "relation", "starts_on", "ends_on", "terminated_on")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = _("полисы застрахованного")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InsuredPerson)
class InsuredPersonAdmin(NameKeySearchMixin, admin.ModelAdmin):
    list_display = ("full_name", "birth_date", "sex", "phone", "email", "city", "user")
    list_filter = ("sex", "city")
    list_select_related = ("user",)
    search_fields = ("last_name", "first_name", "patronymic", "phone", "email")
    autocomplete_fields = ("user",)
    inlines = [PolicyOfPersonInline]

    @admin.display(description=_("ФИО"), ordering="last_name")
    def full_name(self, obj: InsuredPerson) -> str:
        return obj.full_name


class PolicyStatusFilter(admin.SimpleListFilter):
    """Status on today's date, the same rule as Policy.status_on."""

    title = _("статус сегодня")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(s.value, s.label) for s in PolicyStatus]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = clock.today()
        live = Q(terminated_on__isnull=True) | Q(terminated_on__gt=today)
        conditions = {
            PolicyStatus.TERMINATED: Q(terminated_on__lte=today),
            PolicyStatus.PENDING: live & Q(starts_on__gt=today),
            PolicyStatus.EXPIRED: live & Q(ends_on__lt=today),
            PolicyStatus.ACTIVE: live & Q(starts_on__lte=today, ends_on__gte=today),
        }
        condition = conditions.get(self.value())  # type: ignore[call-overload]
        return queryset.filter(condition) if condition is not None else queryset


class PolicyAdminForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = (
            "number",
            "contract",
            "program",
            "insured",
            "relation",
            "holder",
            "personnel_number",
            "issued_on",
            "starts_on",
            "ends_on",
            "terminated_on",
            "termination_reason",
            "service_mode",
            "registry_clinic",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        contract, program = data.get("contract"), data.get("program")
        if contract and program and program.contract_id != contract.pk:
            self.add_error("program", _("Программа относится к другому договору."))
        if data.get("service_mode") == ServiceMode.REGISTRY and not data.get("registry_clinic"):
            self.add_error("registry_clinic", _("При обслуживании через регистратуру выберите клинику прикрепления."))
        insured, holder = data.get("insured"), data.get("holder")
        if insured and holder and insured.pk == holder.pk:
            self.add_error("holder", _("Застрахованный не может быть страхователем-родственником самого себя."))
        if data.get("terminated_on") and not data.get("termination_reason"):
            self.add_error("termination_reason", _("Укажите причину прекращения."))
        return data


class LimitUsageForm(forms.ModelForm):
    class Meta:
        model = LimitUsage
        fields = ("limit", "used_on", "quantity", "source")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        limit = data.get("limit")
        policy = getattr(self.instance, "policy", None) if self.instance.policy_id else None
        if limit and policy and limit.program_id != policy.program_id:
            self.add_error("limit", _("Лимит относится к другой программе, не к программе полиса."))
        return data


class LimitUsageInline(admin.TabularInline):
    model = LimitUsage
    form = LimitUsageForm
    extra = 0
    autocomplete_fields = ("limit",)


@admin.register(Policy)
class PolicyAdmin(NameKeySearchMixin, admin.ModelAdmin):
    form = PolicyAdminForm
    name_key_lookup = "insured__name_key"
    phone_lookup = "insured__phone"
    list_display = (
        "number",
        "insured_name",
        "relation",
        "contract_number",
        "program_name",
        "starts_on",
        "ends_on",
        "status_label",
    )
    list_filter = (
        PolicyStatusFilter,
        "relation",
        "service_mode",
        ("contract", admin.RelatedOnlyFieldListFilter),
        "program__franchise_activation",
    )
    list_select_related = ("insured", "contract", "program")
    search_fields = ("number", "personnel_number", "insured__last_name", "insured__first_name")
    autocomplete_fields = ("insured", "holder", "contract", "program", "registry_clinic")
    date_hierarchy = "starts_on"
    inlines = [LimitUsageInline]
    fieldsets = (
        (None, {"fields": ("number", "contract", "program", "insured", "relation", "holder", "personnel_number")}),
        (_("Срок"), {"fields": ("issued_on", "starts_on", "ends_on", "terminated_on", "termination_reason")}),
        (_("Обслуживание"), {"fields": ("service_mode", "registry_clinic")}),
    )

    @admin.display(description=_("застрахованный"), ordering="insured__last_name")
    def insured_name(self, obj: Policy) -> str:
        return obj.insured.full_name

    @admin.display(description=_("договор"), ordering="contract__number")
    def contract_number(self, obj: Policy) -> str:
        return obj.contract.number

    @admin.display(description=_("программа"), ordering="program__name")
    def program_name(self, obj: Policy) -> str:
        return obj.program.name

    @admin.display(description=_("статус сегодня"))
    def status_label(self, obj: Policy) -> str:
        return obj.status_label


@admin.register(LimitUsage)
class LimitUsageAdmin(admin.ModelAdmin):
    list_display = ("policy", "limit", "used_on", "quantity", "source", "created_at")
    list_filter = ("limit__period",)
    list_select_related = ("policy", "limit")
    search_fields = ("policy__number", "limit__name", "source")
    autocomplete_fields = ("policy", "limit")
    date_hierarchy = "used_on"
