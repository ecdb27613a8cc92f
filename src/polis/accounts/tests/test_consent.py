import datetime as dt

import pytest
from django.urls import reverse

from polis.accounts import services
from polis.accounts.models import Consent, ConsentKind, ConsentText
from polis.accounts.selectors import consent_text_current
from polis.accounts.services import ConsentError
from polis.accounts.services.consent import consent_record
from polis.coverage.models import Policy, PolicyStatus, TerminationReason
from polis.notify.models import Notification, OutboundMessage
from polis.testing import factories as f


@pytest.fixture
def alice_consents(alice, frozen_now):
    for kind in (ConsentKind.PERSONAL_DATA, ConsentKind.MARKETING):
        text = consent_text_current(kind=kind)
        assert text is not None
        consent_record(user=alice, kind=kind, text_id=text.pk, given_at=frozen_now.return_value, ip="192.0.2.1")
    return alice


def test_both_consent_texts_are_published_and_the_latest_is_current(db, frozen_now):
    personal = consent_text_current(kind=ConsentKind.PERSONAL_DATA)
    assert personal is not None and personal.version == "1"
    assert "сведений о состоянии здоровья" in personal.text
    assert "30 дней" in personal.text
    assert consent_text_current(kind=ConsentKind.MARKETING) is not None
    ConsentText.objects.create(
        kind=ConsentKind.MARKETING, version="2", title="Новая", text="…", published_at=frozen_now.return_value
    )
    ConsentText.objects.create(
        kind=ConsentKind.MARKETING, version="3", title="Будущая", text="…",
        published_at=frozen_now.return_value + dt.timedelta(days=1),
    )  # fmt: skip
    assert consent_text_current(kind=ConsentKind.MARKETING).version == "2"


def test_withdrawing_personal_data_consent_ends_her_own_policy_but_not_her_sons(alice_consents, hr_user, frozen_now):
    consent = services.consent_withdraw(user=alice_consents, kind=ConsentKind.PERSONAL_DATA)

    assert consent is not None and consent.withdrawn_at == frozen_now.return_value
    own = Policy.objects.get(number="001-0000001")
    assert own.terminated_on == dt.date(2026, 11, 20)
    assert own.termination_reason == TerminationReason.CONSENT_WITHDRAWN
    assert own.status == PolicyStatus.TERMINATED
    son = Policy.objects.get(number="001-0000002")
    assert son.terminated_on is None
    assert son.status == PolicyStatus.ACTIVE


def test_the_contract_administrator_learns_only_the_name_and_policy_number(alice_consents, hr_user, alice_policy):
    services.consent_withdraw(user=alice_consents, kind=ConsentKind.PERSONAL_DATA)

    note = Notification.objects.get(user=hr_user)
    assert "Смирнова Ирина Петровна, полис № 001-0000001" in note.body
    mail = OutboundMessage.objects.get(recipient=alice_policy.contract.admin_email)
    assert mail.channel == "email"
    assert "001-0000001" in mail.body
    for text in (note.body, mail.body):
        assert "001-0000002" not in text  # the son's policy goes on
        assert "диагноз" not in text.lower()


def test_the_person_is_told_what_withdrawal_means(alice_consents):
    services.consent_withdraw(user=alice_consents, kind=ConsentKind.PERSONAL_DATA)
    note = Notification.objects.get(user=alice_consents)
    assert "001-0000001" in note.body
    assert "30 дней" in note.body
    assert OutboundMessage.objects.filter(recipient="alice@example.ru", channel="email").exists()


def test_withdrawing_twice_changes_nothing_the_second_time(alice_consents, hr_user):
    services.consent_withdraw(user=alice_consents, kind=ConsentKind.PERSONAL_DATA)
    assert services.consent_withdraw(user=alice_consents, kind=ConsentKind.PERSONAL_DATA) is None
    assert Notification.objects.filter(user=hr_user).count() == 1


def test_a_policy_on_another_contract_and_a_future_renewal_end_too_but_an_expired_one_is_left(
    alice_consents, alice_person
):
    other = f.PolicyFactory(insured=alice_person, number="777-1")
    renewal = f.PolicyFactory(
        insured=alice_person, number="001-2027", issued_on=dt.date(2026, 11, 1), starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 12, 31),
    )  # fmt: skip
    expired = f.PolicyFactory(
        insured=alice_person, number="001-2025", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31)
    )
    services.consent_withdraw(user=alice_consents, kind=ConsentKind.PERSONAL_DATA)
    for policy in (other, renewal):
        policy.refresh_from_db()
        assert policy.termination_reason == TerminationReason.CONSENT_WITHDRAWN
    expired.refresh_from_db()
    assert expired.terminated_on is None
    # One e-mail per contract (the factories give each of these policies its own contract).
    contracts = {p.contract_id for p in (alice_person.policies.get(number="001-0000001"), other, renewal)}
    assert OutboundMessage.objects.filter(subject__contains="отозвал").count() == len(contracts) == 3


def test_marketing_consent_is_withdrawn_and_given_freely_without_side_effects(alice_consents):
    assert services.consent_withdraw(user=alice_consents, kind=ConsentKind.MARKETING) is not None
    assert Policy.objects.filter(terminated_on__isnull=False).count() == 0
    assert not Notification.objects.exists()
    given = services.consent_give(user=alice_consents, kind=ConsentKind.MARKETING, ip="192.0.2.5")
    assert given.withdrawn_at is None
    assert services.consent_give(user=alice_consents, kind=ConsentKind.MARKETING, ip=None) == given
    assert Consent.objects.filter(user=alice_consents, kind=ConsentKind.MARKETING).count() == 2


def test_personal_data_consent_is_not_given_from_the_profile(alice):
    with pytest.raises(ConsentError):
        services.consent_give(user=alice, kind=ConsentKind.PERSONAL_DATA, ip=None)


# --- the pages ---------------------------------------------------------------------------


def test_the_profile_shows_consents_with_versions_and_dates(client, alice_consents):
    client.force_login(alice_consents)
    content = client.get(reverse("accounts:profile")).content.decode()
    assert "Обработка персональных данных, включая сведения о здоровье" in content
    assert "20.11.2026 12:00" in content  # Moscow time, not the database's UTC
    assert reverse("accounts:consent_withdraw") in content


def test_withdrawal_asks_for_confirmation_first(client, alice_consents):
    client.force_login(alice_consents)
    page = client.get(reverse("accounts:consent_withdraw")).content.decode()
    assert "№ 001-0000001" in page
    assert "30 дней" in page
    response = client.post(reverse("accounts:consent_withdraw"), {})
    assert response.status_code == 200
    assert "Подтвердите" in response.content.decode()
    assert Policy.objects.get(number="001-0000001").terminated_on is None

    response = client.post(reverse("accounts:consent_withdraw"), {"confirm": "on"})
    assert response.url == reverse("accounts:profile")
    assert Policy.objects.get(number="001-0000001").terminated_on == dt.date(2026, 11, 20)


def test_the_marketing_switch_in_the_profile(client, alice_consents):
    client.force_login(alice_consents)
    client.post(reverse("accounts:marketing"), {"action": "off"})
    assert not Consent.objects.filter(user=alice_consents, kind=ConsentKind.MARKETING, withdrawn_at=None).exists()
    client.post(reverse("accounts:marketing"), {"action": "on"})
    assert Consent.objects.filter(user=alice_consents, kind=ConsentKind.MARKETING, withdrawn_at=None).exists()


def test_the_consent_text_is_readable_before_registering(client, db):
    response = client.get(reverse("accounts:consent_text", args=["personal_data"]))
    assert response.status_code == 200
    assert "152-ФЗ" in response.content.decode()
    assert client.get(reverse("accounts:consent_text", args=["nonsense"])).status_code == 404
