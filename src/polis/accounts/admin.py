"""Back office: users of every role, consents and the security journals (read-only)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from polis import clock
from polis.accounts.models import ApiToken, Consent, ConsentText, LoginAttempt, OneTimeCode, Role, User
from polis.coverage.models import Contract
from polis.phone import InvalidPhone, normalize_phone


class ReadOnlyAdmin(admin.ModelAdmin):
    """Journals are evidence (who consented to what and when, who tried to log in): the back
    office reads them and nobody edits them by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UserFieldsMixin(forms.ModelForm):
    """What both user forms check: one spelling of a phone, e-mail in lower case, and a clinic
    clerk who has a clinic (the database would refuse it less politely)."""

    # Wider than the column: "+7 (912) 345-67-89" is typed, "+79123456789" is stored.
    phone = forms.CharField(label=_("мобильный телефон"), max_length=30, required=False)

    def clean_email(self) -> str:
        email = (self.cleaned_data.get("email") or "").strip().lower()
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if email and taken.exists():
            raise forms.ValidationError(_("Пользователь с таким e-mail уже есть."))
        return email

    def clean_phone(self) -> str | None:
        raw = (self.cleaned_data.get("phone") or "").strip()
        if not raw:
            return None
        try:
            phone = normalize_phone(raw)
        except InvalidPhone:
            raise forms.ValidationError(_("Введите мобильный номер, например +7 912 345-67-89.")) from None
        if User.objects.filter(phone=phone).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Пользователь с таким телефоном уже есть."))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, clinic = data.get("role"), data.get("clinic")
        if role == Role.CLINIC and clinic is None:
            self.add_error("clinic", _("Для сотрудника клиники выберите клинику."))
        if role != Role.CLINIC and clinic is not None:
            self.add_error("clinic", _("Клиника указывается только для сотрудника клиники."))
        return data


class StaffUserCreationForm(UserFieldsMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "phone", "last_name", "first_name", "patronymic", "role", "clinic")


class StaffUserChangeForm(UserFieldsMixin, UserChangeForm):
    class Meta:
        model = User
        fields = (
            "email",
            "password",
            "last_name",
            "first_name",
            "patronymic",
            "phone",
            "role",
            "clinic",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )


class AdministeredContractInline(admin.TabularInline):
    """The contracts an HR user administers (the same rows as «пользователи HR-консоли» on the
    contract)."""

    model = Contract.administrators.through
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["contract"]
    verbose_name = _("договор в HR-консоли")
    verbose_name_plural = _("договоры в HR-консоли (для администратора договора)")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = StaffUserChangeForm
    add_form = StaffUserCreationForm
    inlines = [AdministeredContractInline]
    list_display = ("email", "full_name", "phone", "role", "clinic", "is_active", "is_staff", "date_joined")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    list_select_related = ("clinic",)
    search_fields = ("email", "phone", "last_name", "first_name")
    ordering = ("email",)
    autocomplete_fields = ("clinic",)
    readonly_fields = ("last_login", "date_joined")
    date_hierarchy = "date_joined"
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Личные данные"), {"fields": ("last_name", "first_name", "patronymic", "phone")}),
        (_("Роль"), {"fields": ("role", "clinic")}),
        (
            _("Права в админке"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Даты"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "phone",
                    "last_name",
                    "first_name",
                    "patronymic",
                    "role",
                    "clinic",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    @admin.display(description=_("ФИО"), ordering="last_name")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[type[admin.options.InlineModelAdmin]]:
        # Contracts are attached once the user exists and is HR.
        return list(self.inlines) if obj is not None and obj.role == Role.HR else []

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        """A phone is found however it is typed (8 912…, +7 (912)…)."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            phone = normalize_phone(search_term)
        except InvalidPhone:
            return results, may_have_duplicates
        return results | queryset.filter(phone=phone), may_have_duplicates


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "version", "published_at")
    list_filter = ("kind",)
    search_fields = ("title", "version", "text")
    date_hierarchy = "published_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Once someone has agreed to a wording, it is what they agreed to: publish a new version.
        if obj is not None and Consent.objects.filter(text=obj).exists():
            return ("kind", "version", "title", "text", "published_at")
        return ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and Consent.objects.filter(text=obj).exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "text", "given_at", "withdrawn_at", "ip_address")
    list_filter = ("kind", ("withdrawn_at", admin.EmptyFieldListFilter))
    list_select_related = ("user", "text")
    search_fields = ("user__email", "user__phone", "user__last_name")
    date_hierarchy = "given_at"


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(ReadOnlyAdmin):
    # Never the hash, the payload (a pending registration) or the confirmation token.
    fields = ("purpose", "destination", "created_at", "expires_at", "attempts", "used_at")
    list_display = ("destination", "purpose", "created_at", "expires_at", "attempts", "used_at")
    list_filter = ("purpose", ("used_at", admin.EmptyFieldListFilter))
    search_fields = ("destination",)
    date_hierarchy = "created_at"


@admin.register(LoginAttempt)
class LoginAttemptAdmin(ReadOnlyAdmin):
    list_display = ("at", "identifier", "ip_address", "succeeded")
    list_filter = ("succeeded",)
    search_fields = ("identifier", "ip_address")
    date_hierarchy = "at"


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    fields = ("user", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_display = ("user", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("user__email", "user__phone", "name")
    date_hierarchy = "created_at"
    actions = ["revoke"]

    @admin.action(description=_("Отозвать выбранные токены"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        # Conditional UPDATE: an already revoked token keeps its first revocation time.
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=clock.now())
        self.message_user(request, _("Отозвано токенов: %(n)s.") % {"n": count}, messages.SUCCESS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Needed for the revoke action only; the form itself shows every field read-only.
        return bool(request.user.has_perm("accounts.change_apitoken"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.fields
