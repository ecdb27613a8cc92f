"""The back office's Django admin: every page opens, users of every role are created through it,
and the journals stay read-only."""

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from polis.accounts.models import ApiToken, CodePurpose, Consent, ConsentKind, ConsentText, OneTimeCode, Role, User
from polis.coverage.models import CopayRule, LimitUsage, ServiceCategory
from polis.notify.models import OutboundMessage
from polis.testing import factories as f


@pytest.fixture
def admin_client(client, backoffice_user):
    client.force_login(backoffice_user)
    return client


@pytest.fixture
def one_of_everything(alice, alice_policy, hr_user, desk_user, clinic_user):
    """At least one row per model, so that change lists render real rows and change pages open."""
    program = alice_policy.program
    limit = f.ProgramLimitFactory(program=program)
    LimitUsage.objects.create(policy=alice_policy, limit=limit, used_on=dt.date(2026, 3, 3))
    CopayRule.objects.create(program=program, service_category=ServiceCategory.DENTAL, fixed_kopecks=150000)
    f.ProgramCareFactory(program=program)
    f.ProgramClinicFactory(program=program, clinic=clinic_user.clinic)
    f.ClinicCareFactory(clinic=clinic_user.clinic)
    text = ConsentText.objects.create(kind=ConsentKind.PERSONAL_DATA, version="test", title="Согласие", text="Текст")
    Consent.objects.create(
        user=alice, kind=ConsentKind.PERSONAL_DATA, text=text, given_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    OneTimeCode.objects.create(
        purpose=CodePurpose.REGISTRATION, destination="+79161234567", code_hash="pbkdf2_sha256$secret-hash",
        expires_at=dt.datetime(2026, 11, 20, 9, 10, tzinfo=dt.UTC), payload={"password": "payload-secret"},
    )  # fmt: skip
    ApiToken.objects.create(user=alice, key_hash="f" * 64, expires_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    OutboundMessage.objects.create(channel="sms", recipient="+79161234567", body="Код подтверждения: 908172")
    from polis.care.models import DeskContact
    from polis.notify.models import Notification

    DeskContact.objects.create(title="Медицинский пульт", phone="8 800 100-00-00")
    Notification.objects.create(user=alice, title="Полис оформлен")
    from polis.accounts.models import LoginAttempt

    LoginAttempt.objects.create(identifier="alice@example.ru", succeeded=True)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_changelist_add_and_change_page_opens_for_the_back_office(admin_client, one_of_everything):
    opened = []
    for model, model_admin in admin.site._registry.items():
        changelist = admin_client.get(admin_url(model, "changelist"))
        assert changelist.status_code == 200, model
        request = changelist.wsgi_request
        if model_admin.has_add_permission(request):
            assert admin_client.get(admin_url(model, "add")).status_code == 200, model
        obj = model._default_manager.first()
        if obj is not None:
            assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200, model
        opened.append(model._meta.label)
    for label in ["accounts.User", "coverage.Policy", "coverage.Program", "network.Clinic", "notify.OutboundMessage"]:
        assert label in opened


def test_every_model_of_ours_is_registered():
    ours = {"accounts", "network", "coverage", "care", "notify"}
    from django.apps import apps

    missing = [m._meta.label for m in apps.get_models() if m._meta.app_label in ours and m not in admin.site._registry]
    assert missing == []


def test_changelist_search_and_filters_answer(admin_client, one_of_everything):
    for url, params in [
        (admin_url(User, "changelist"), {"q": "8 916 123-45-67", "role__exact": "insured"}),
        (admin_url(OneTimeCode, "changelist"), {"q": "+7916"}),
    ]:
        assert admin_client.get(url, params).status_code == 200
    from polis.coverage.models import InsuredPerson, Policy

    people = admin_client.get(admin_url(InsuredPerson, "changelist"), {"q": "смирнова"})
    policies = admin_client.get(admin_url(Policy, "changelist"), {"status": "active", "q": "СМИРНОВА"})
    users = admin_client.get(admin_url(User, "changelist"), {"q": "8 916 123-45-67"})

    assert people.context["cl"].result_count == 2  # alice and her son, whatever the case
    assert {p.number for p in policies.context["cl"].result_list} == {"001-0000001", "001-0000002"}
    assert [u.email for u in users.context["cl"].result_list] == ["alice@example.ru"]


def test_the_back_office_creates_a_clinic_clerk_with_a_password(admin_client, clinic_user):
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": "Registry@Clinic.RU",
            "phone": "8 (912) 000-11-22",
            "last_name": "Петрова",
            "first_name": "Анна",
            "patronymic": "",
            "role": Role.CLINIC,
            "clinic": clinic_user.clinic_id,
            "usable_password": "true",
            "password1": "Clinic-pass-2026",
            "password2": "Clinic-pass-2026",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="registry@clinic.ru")
    assert user.phone == "+79120001122"
    assert user.clinic_id == clinic_user.clinic_id
    assert user.check_password("Clinic-pass-2026")


def test_a_clinic_clerk_without_a_clinic_is_refused_next_to_the_field(admin_client):
    response = admin_client.post(
        admin_url(User, "add"),
        {"email": "x@clinic.ru", "role": Role.CLINIC, "usable_password": "false"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["clinic"] == ["Для сотрудника клиники выберите клинику."]
    assert not User.objects.filter(email="x@clinic.ru").exists()


def test_an_email_taken_in_another_case_and_a_bad_phone_are_refused(admin_client, alice):
    response = admin_client.post(
        admin_url(User, "add"),
        {"email": "ALICE@example.ru", "phone": "12345", "role": Role.DESK, "usable_password": "false"},
    )

    errors = response.context["adminform"].form.errors
    assert errors["email"] == ["Пользователь с таким e-mail уже есть."]
    assert errors["phone"] == ["Введите мобильный номер, например +7 912 345-67-89."]


def test_the_back_office_attaches_contracts_to_an_hr_user(admin_client, alice_policy):
    hr = f.UserFactory(role=Role.HR, phone=None, email="new-hr@example.ru")
    contract = alice_policy.contract
    through = "Contract_administrators"
    page = admin_client.get(admin_url(User, "change", hr.pk))
    assert page.status_code == 200
    assert through in page.content.decode()

    response = admin_client.post(
        admin_url(User, "change", hr.pk),
        {
            "email": hr.email,
            "phone": "",
            "last_name": "",
            "first_name": "",
            "patronymic": "",
            "role": Role.HR,
            "is_active": "on",
            "date_joined_0": "20.11.2026",
            "date_joined_1": "12:00:00",
            f"{through}-TOTAL_FORMS": "1",
            f"{through}-INITIAL_FORMS": "0",
            f"{through}-0-contract": contract.pk,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(hr.administered_contracts.all()) == [contract]


def test_the_password_is_changed_through_the_standard_form(admin_client, desk_user):
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[desk_user.pk]),
        {"usable_password": "true", "password1": "Desk-new-pass-77", "password2": "Desk-new-pass-77"},
    )

    assert response.status_code == 302
    desk_user.refresh_from_db()
    assert desk_user.check_password("Desk-new-pass-77")


def test_one_time_codes_show_neither_hash_nor_payload_and_cannot_be_edited(admin_client, one_of_everything):
    code = OneTimeCode.objects.get()

    page = admin_client.get(admin_url(OneTimeCode, "change", code.pk)).content.decode()

    assert "secret-hash" not in page and "payload-secret" not in page
    assert admin_client.post(admin_url(OneTimeCode, "change", code.pk), {"attempts": 0}).status_code == 403
    assert admin_client.get(admin_url(OneTimeCode, "add")).status_code == 403


@pytest.mark.parametrize("model", [Consent, OutboundMessage])
def test_journals_cannot_be_added_or_deleted(admin_client, one_of_everything, model):
    obj = model.objects.first()

    assert admin_client.get(admin_url(model, "add")).status_code == 403
    assert admin_client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_the_outbox_list_does_not_show_message_bodies(admin_client, one_of_everything):
    assert "908172" not in admin_client.get(admin_url(OutboundMessage, "changelist")).content.decode()


def test_money_is_shown_in_rubles(admin_client, one_of_everything):
    html = admin_client.get(admin_url(CopayRule, "changelist")).content.decode()

    assert "1\xa0500,00\xa0₽" in html


def test_revoking_api_tokens_keeps_the_first_revocation_time(admin_client, one_of_everything, frozen_now):
    token = ApiToken.objects.get()
    admin_client.post(admin_url(ApiToken, "changelist"), {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()

    assert token.revoked_at == frozen_now.return_value


def test_a_policy_whose_program_belongs_to_another_contract_is_refused(admin_client, alice_policy, bob):
    from polis.coverage.models import Policy

    foreign_program = Policy.objects.get(number="002-0000001").program
    response = admin_client.post(
        admin_url(Policy, "add"),
        {
            "number": "001-0000777",
            "contract": alice_policy.contract_id,
            "program": foreign_program.pk,
            "insured": alice_policy.insured_id,
            "relation": "employee",
            "issued_on": "01.01.2026",
            "starts_on": "01.01.2026",
            "ends_on": "31.12.2026",
            "service_mode": "desk",
            "limit_usages-TOTAL_FORMS": "0",
            "limit_usages-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["program"] == ["Программа относится к другому договору."]


@pytest.mark.parametrize("role", [Role.INSURED, Role.HR, Role.DESK, Role.CLINIC])
def test_people_without_admin_access_are_kept_out(client, db, role):
    kwargs = {"clinic": f.ClinicFactory()} if role == Role.CLINIC else {}
    client.force_login(f.UserFactory(role=role, **kwargs))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_consent_wording_someone_agreed_to_cannot_be_rewritten(admin_client, one_of_everything):
    agreed = ConsentText.objects.get(version="test")
    fresh = ConsentText.objects.create(kind=ConsentKind.MARKETING, version="draft", title="Черновик", text="Текст")

    agreed_page = admin_client.get(admin_url(ConsentText, "change", agreed.pk))
    fresh_page = admin_client.get(admin_url(ConsentText, "change", fresh.pk))

    assert "text" not in agreed_page.context["adminform"].form.fields
    assert "text" in fresh_page.context["adminform"].form.fields
    assert admin_client.post(admin_url(ConsentText, "delete", agreed.pk), {"post": "yes"}).status_code == 403
