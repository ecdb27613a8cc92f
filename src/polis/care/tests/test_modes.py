"""Service modes: moving a person to one clinic's registry mid-term — the extra premium, the
payment match that attaches the policy and generates the attachment letter, and every refusal
the back office reads out (003)."""

import datetime as dt

import pytest
from django.urls import reverse

from polis.calendar import override_set
from polis.care import modes
from polis.care.models import AttachmentLetter, AttachmentStatus, CareEvent, ModeChangeStatus, ServiceModeChange
from polis.care.states import CareError
from polis.coverage.models import ContractInstallment, Policy, ServiceMode
from polis.network.models import PriceCategory
from polis.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(alice_policy: Policy):
    program = alice_policy.program
    program.price_category = PriceCategory.SECOND
    program.tariff_desk_kopecks = 4_500_000
    program.tariff_registry_kopecks = 6_200_000
    program.save()
    return program


@pytest.fixture
def clinic(program):
    clinic = f.ClinicFactory(name="Клиника «Семейная»", price_category=PriceCategory.SECOND)
    f.ProgramClinicFactory(program=program, clinic=clinic)
    return clinic


@pytest.fixture
def change(alice_policy, clinic, backoffice_user) -> ServiceModeChange:
    return modes.mode_change_request(policy=alice_policy, clinic=clinic, staff=backoffice_user)


def test_the_extra_premium_is_the_tariff_difference_whatever_the_remaining_term(
    alice_policy, clinic, backoffice_user, program
):
    change = modes.mode_change_request(policy=alice_policy, clinic=clinic, staff=backoffice_user)

    assert change.extra_premium_kopecks == 1_700_000
    assert change.status == ModeChangeStatus.AWAITING_PAYMENT
    assert list(CareEvent.objects.filter(mode_change=change).values_list("action", flat=True)) == ["created"]
    alice_policy.refresh_from_db()
    assert alice_policy.service_mode == ServiceMode.DESK  # nothing changes before the payment


def test_only_clinics_of_the_program_and_its_price_category_are_eligible(
    alice_policy, clinic, program, backoffice_user
):
    dearer = f.ClinicFactory(name="Клиника «Премиум»", price_category=PriceCategory.THIRD)
    f.ProgramClinicFactory(program=program, clinic=dearer)
    outside = f.ClinicFactory(name="Клиника вне программы", price_category=PriceCategory.SECOND)
    closed = f.ClinicFactory(price_category=PriceCategory.SECOND, is_active=False)
    f.ProgramClinicFactory(program=program, clinic=closed)

    assert list(modes.eligible_clinics(policy=alice_policy)) == [clinic]
    with pytest.raises(CareError, match=r"другой ценовой категории: .* программы \(2 категория\)"):
        modes.mode_change_request(policy=alice_policy, clinic=dearer, staff=backoffice_user)
    with pytest.raises(CareError, match="не входит в программу страхования"):
        modes.mode_change_request(policy=alice_policy, clinic=outside, staff=backoffice_user)


def test_a_program_without_a_registry_tariff_offers_no_registry_mode(alice_policy, clinic, program, backoffice_user):
    program.tariff_registry_kopecks = None
    program.save()

    with pytest.raises(CareError, match="не предусматривает обслуживание через регистратуру"):
        modes.mode_change_request(policy=alice_policy, clinic=clinic, staff=backoffice_user)


def test_a_policy_not_in_force_cannot_be_moved(alice_policy, clinic, backoffice_user):
    alice_policy.terminated_on = dt.date(2026, 11, 1)
    alice_policy.save()

    with pytest.raises(CareError, match="не действует"):
        modes.mode_change_request(policy=alice_policy, clinic=clinic, staff=backoffice_user)


def test_matching_the_payment_attaches_the_policy_and_generates_the_letter(
    change, alice_policy, clinic, backoffice_user
):
    # 20.11.2026 is a Friday: the letter goes out on Monday.
    letter = modes.mode_change_match_payment(
        change=change, staff=backoffice_user, paid_on=dt.date(2026, 11, 20), reference="п/п № 512"
    )

    alice_policy.refresh_from_db()
    assert (alice_policy.service_mode, alice_policy.registry_clinic) == (ServiceMode.REGISTRY, clinic)
    change.refresh_from_db()
    assert (change.status, change.paid_on, change.payment_reference, change.matched_by) == (
        ModeChangeStatus.ATTACHED,
        dt.date(2026, 11, 20),
        "п/п № 512",
        backoffice_user,
    )
    assert letter.number == f"ПП-2026-{letter.pk:06d}"
    assert (letter.generated_on, letter.send_on) == (dt.date(2026, 11, 20), dt.date(2026, 11, 23))
    assert (letter.valid_from, letter.valid_to) == (dt.date(2026, 11, 20), dt.date(2026, 12, 31))
    assert letter.status == AttachmentStatus.GENERATED and letter.clinic == clinic
    assert CareEvent.objects.filter(attachment=letter, action="created").count() == 1


def test_the_letter_runs_until_the_next_installment_and_skips_holidays_for_sending(
    change, alice_policy, backoffice_user
):
    ContractInstallment.objects.create(contract=alice_policy.contract, due_on=dt.date(2026, 10, 1))
    ContractInstallment.objects.create(contract=alice_policy.contract, due_on=dt.date(2026, 12, 1))
    override_set(date=dt.date(2026, 11, 23), is_working=False, note="перенос")

    letter = modes.mode_change_match_payment(
        change=change, staff=backoffice_user, paid_on=dt.date(2026, 11, 20), reference="п/п № 512"
    )

    assert letter.valid_to == dt.date(2026, 12, 1)
    assert letter.send_on == dt.date(2026, 11, 24)


def test_a_payment_matched_late_sends_the_letter_at_once(alice_policy, clinic, backoffice_user, frozen_now):
    frozen_now.return_value -= dt.timedelta(days=5)  # requested on 15.11.2026
    change = modes.mode_change_request(policy=alice_policy, clinic=clinic, staff=backoffice_user)
    frozen_now.return_value += dt.timedelta(days=5)

    letter = modes.mode_change_match_payment(
        change=change, staff=backoffice_user, paid_on=dt.date(2026, 11, 17), reference="п/п № 9"
    )

    assert (letter.generated_on, letter.send_on) == (dt.date(2026, 11, 17), dt.date(2026, 11, 18))
    assert letter.status == AttachmentStatus.SENT
    assert letter.sent_at == dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def test_once_attached_the_clinic_cannot_be_changed_nor_the_mode_switched_back(
    change, alice_policy, program, backoffice_user
):
    modes.mode_change_match_payment(change=change, staff=backoffice_user, paid_on=dt.date(2026, 11, 20), reference="1")
    other = f.ClinicFactory(price_category=PriceCategory.SECOND)
    f.ProgramClinicFactory(program=program, clinic=other)
    alice_policy.refresh_from_db()

    with pytest.raises(CareError, match="клинику прикрепления нельзя сменить до конца срока полиса"):
        modes.mode_change_request(policy=alice_policy, clinic=other, staff=backoffice_user)
    with pytest.raises(CareError, match="Вернуть обслуживание через медицинский пульт до окончания срока полиса"):
        modes.mode_switch_back(policy=alice_policy, staff=backoffice_user)
    with pytest.raises(CareError, match="Оплата уже сопоставлена"):
        modes.mode_change_match_payment(
            change=change, staff=backoffice_user, paid_on=dt.date(2026, 11, 20), reference="2"
        )
    with pytest.raises(CareError, match="Оплата уже сопоставлена"):
        modes.mode_change_cancel(change=change, staff=backoffice_user)
    assert AttachmentLetter.objects.count() == 1


def test_a_second_change_waits_for_the_first_to_be_cancelled(change, alice_policy, clinic, backoffice_user):
    with pytest.raises(CareError, match="уже оформлен переход"):
        modes.mode_change_request(policy=alice_policy, clinic=clinic, staff=backoffice_user)

    modes.mode_change_cancel(change=change, staff=backoffice_user, reason="передумали")
    again = modes.mode_change_request(policy=alice_policy, clinic=clinic, staff=backoffice_user)

    assert again.pk != change.pk
    with pytest.raises(CareError, match="Переход отменён"):
        modes.mode_change_match_payment(
            change=change, staff=backoffice_user, paid_on=dt.date(2026, 11, 20), reference="1"
        )


@pytest.mark.parametrize(
    ("paid_on", "reference", "message"),
    [
        (dt.date(2026, 11, 21), "п/п 1", "не может быть позже сегодняшнего дня"),
        (dt.date(2026, 11, 19), "п/п 1", "раньше, чем оформлен переход"),
        (dt.date(2026, 11, 20), "  ", "Укажите платёжный документ"),
    ],
)
def test_a_wrong_match_is_refused_and_changes_nothing(
    change, alice_policy, backoffice_user, paid_on, reference, message
):
    with pytest.raises(CareError, match=message):
        modes.mode_change_match_payment(change=change, staff=backoffice_user, paid_on=paid_on, reference=reference)

    alice_policy.refresh_from_db()
    assert alice_policy.service_mode == ServiceMode.DESK and not AttachmentLetter.objects.exists()


# ── The back office pages ────────────────────────────────────────────────────────────────────


def test_the_back_office_moves_a_policy_to_a_clinic_and_matches_the_payment(
    client, backoffice_user, alice_policy, clinic
):
    client.force_login(backoffice_user)
    new = reverse("care_backoffice:change_new")

    found = client.get(new, {"policy_number": "001-0000001"}).content.decode()
    assert "Смирнова Ирина Петровна" in found and "17\u00a0000,00\u00a0₽" in found and "Клиника «Семейная»" in found
    response = client.post(new, {"policy_number": "001-0000001", "clinic": clinic.pk})
    change = ServiceModeChange.objects.get()
    assert response.url == reverse("care_backoffice:change", args=[change.pk])

    page = client.post(
        reverse("care_backoffice:match", args=[change.pk]),
        {"match-paid_on": "2026-11-20", "match-reference": "п/п № 512"},
        follow=True,
    ).content.decode()

    letter = AttachmentLetter.objects.get()
    assert f"Письмо на прикрепление № {letter.number}" in page and "23.11.2026" in page
    assert "Прикреплён" in page
    listing = client.get(reverse("care_backoffice:changes"), {"q": "001-0000001"}).content.decode()
    assert f'data-change="{change.pk}"' in listing


def test_the_back_office_sees_why_a_policy_cannot_be_moved(client, backoffice_user, alice_policy, program):
    program.tariff_registry_kopecks = None
    program.save()
    client.force_login(backoffice_user)

    page = client.get(reverse("care_backoffice:change_new"), {"policy_number": "001-0000001"}).content.decode()
    missing = client.get(reverse("care_backoffice:change_new"), {"policy_number": "999"}).content.decode()

    assert 'data-testid="refusal"' in page and "не предусматривает обслуживание через регистратуру" in page
    assert "Полис с таким номером не найден." in missing


def test_a_failed_match_keeps_what_was_typed(client, backoffice_user, change):
    client.force_login(backoffice_user)

    page = client.post(
        reverse("care_backoffice:match", args=[change.pk]),
        {"match-paid_on": "2026-11-21", "match-reference": "п/п № 777"},
    ).content.decode()

    assert "не может быть позже сегодняшнего дня" in page and 'value="п/п № 777"' in page


def test_cancelling_an_unpaid_change_on_the_page(client, backoffice_user, change):
    client.force_login(backoffice_user)

    page = client.post(
        reverse("care_backoffice:cancel", args=[change.pk]), {"cancel-reason": "страхователь передумал"}, follow=True
    ).content.decode()

    change.refresh_from_db()
    assert change.status == ModeChangeStatus.CANCELLED and "Переход отменён" in page
    assert CareEvent.objects.filter(mode_change=change, action="cancel", note="страхователь передумал").exists()


def test_other_roles_have_no_back_office_pages(client, desk_user, clinic_user, change):
    for user in (desk_user, clinic_user):
        client.force_login(user)
        assert client.get(reverse("care_backoffice:changes")).status_code == 403
        assert client.post(reverse("care_backoffice:match", args=[change.pk])).status_code == 403


# ── The next installment continues the attachment ────────────────────────────────────────────


@pytest.fixture
def attached(change, alice_policy, backoffice_user):
    ContractInstallment.objects.create(contract=alice_policy.contract, due_on=dt.date(2026, 12, 1))
    first = modes.mode_change_match_payment(
        change=change, staff=backoffice_user, paid_on=dt.date(2026, 11, 20), reference="п/п № 512"
    )
    assert first.valid_to == dt.date(2026, 12, 1)
    change.refresh_from_db()
    return change


def test_the_next_installment_continues_the_attachment_with_a_new_letter(attached, backoffice_user):
    letter = modes.attachment_renew(
        change=attached, staff=backoffice_user, paid_on=dt.date(2026, 11, 20), reference="п/п № 640"
    )

    assert (letter.valid_from, letter.valid_to) == (dt.date(2026, 12, 2), dt.date(2026, 12, 31))
    assert letter.clinic_id == attached.clinic_id and letter.change_id == attached.pk
    assert letter.number.startswith("ПП-2026-") and letter.send_on == dt.date(2026, 11, 23)
    note = CareEvent.objects.get(mode_change=attached, action="installment_paid").note
    assert "п/п № 640" in note and letter.number in note


def test_an_attachment_already_running_to_the_policys_end_is_not_continued_twice(attached, backoffice_user):
    modes.attachment_renew(change=attached, staff=backoffice_user, paid_on=dt.date(2026, 11, 20), reference="п/п 640")

    with pytest.raises(CareError, match="до окончания срока полиса"):
        modes.attachment_renew(
            change=attached, staff=backoffice_user, paid_on=dt.date(2026, 11, 20), reference="п/п 640"
        )
    assert AttachmentLetter.objects.filter(change=attached).count() == 2


def test_an_unpaid_change_has_no_attachment_to_continue(change, backoffice_user):
    with pytest.raises(CareError, match="ещё не прикреплён"):
        modes.attachment_renew(change=change, staff=backoffice_user, paid_on=dt.date(2026, 11, 20), reference="п/п 1")
    assert not AttachmentLetter.objects.exists()


def test_the_back_office_records_the_installment_on_the_change_page(client, backoffice_user, attached):
    client.force_login(backoffice_user)
    url = reverse("care_backoffice:change", args=[attached.pk])
    assert 'data-testid="installment"' in client.get(url).content.decode()

    failed = client.post(
        reverse("care_backoffice:installment", args=[attached.pk]),
        {"installment-paid_on": "2026-11-20", "installment-reference": "  "},
    ).content.decode()
    assert "Обязательное поле" in failed or "Укажите платёжный документ" in failed
    assert AttachmentLetter.objects.filter(change=attached).count() == 1

    page = client.post(
        reverse("care_backoffice:installment", args=[attached.pk]),
        {"installment-paid_on": "2026-11-20", "installment-reference": "п/п № 640"},
        follow=True,
    ).content.decode()
    assert "Прикрепление продлено" in page and "02.12.2026" in page
    assert "Очередной взнос поступил, прикрепление продлено" in page  # the step in the history, in words
    assert 'data-testid="installment"' not in page


# ── An attachment nobody continued ───────────────────────────────────────────────────────────


def test_an_attachment_not_continued_sends_the_person_back_to_the_desk_until_the_installment_comes(
    attached, alice_policy, backoffice_user
):
    from polis.network.access import DESK, REGISTRY, clinic_access

    alice_policy.refresh_from_db()
    clinic = attached.clinic

    in_time = clinic_access(policy=alice_policy, clinic=clinic, on=dt.date(2026, 12, 1))
    assert {k.mode for k in in_time.kinds} <= {REGISTRY, "online"}
    lapsed = clinic_access(policy=alice_policy, clinic=clinic, on=dt.date(2026, 12, 2))
    assert {k.mode for k in lapsed.kinds} == {DESK}
    assert "Прикрепление к клинике закончилось 01.12.2026" in lapsed.kinds[0].reason

    modes.attachment_renew(change=attached, staff=backoffice_user, paid_on=dt.date(2026, 11, 20), reference="п/п 640")
    again = clinic_access(policy=alice_policy, clinic=clinic, on=dt.date(2026, 12, 2))
    assert {k.mode for k in again.kinds} <= {REGISTRY, "online"}


def test_a_policy_put_in_registry_mode_when_issued_never_lapses(alice_policy, clinic):
    from polis.network.access import REGISTRY, clinic_access

    Policy.objects.filter(pk=alice_policy.pk).update(service_mode=ServiceMode.REGISTRY, registry_clinic=clinic)
    alice_policy.refresh_from_db()

    assert modes.attachment_lapsed_on(policy=alice_policy, on=dt.date(2026, 12, 20)) is None
    assert {k.mode for k in clinic_access(policy=alice_policy, clinic=clinic).kinds} <= {REGISTRY, "online"}


def test_the_daily_round_tells_the_clinic_and_the_person_once_when_the_attachment_ends(attached, alice):
    from polis.care.daily import care_daily
    from polis.notify.models import Notification, OutboundMessage

    care_daily(today=dt.date(2026, 12, 2))
    care_daily(today=dt.date(2026, 12, 2))

    ended = OutboundMessage.objects.filter(body__contains="закончилось 01.12.2026")
    assert ended.filter(recipient=attached.clinic.email).count() == (1 if attached.clinic.email else 0)
    assert ended.filter(channel="sms").count() == 1
    assert Notification.objects.filter(user=alice, title="Прикрепление к клинике закончилось").count() == 1
    assert AttachmentLetter.objects.get(change=attached).status == AttachmentStatus.EXPIRED


def test_an_attachment_continued_in_time_ends_quietly(attached, backoffice_user):
    from polis.care.daily import care_daily
    from polis.notify.models import OutboundMessage

    modes.attachment_renew(change=attached, staff=backoffice_user, paid_on=dt.date(2026, 11, 20), reference="п/п 640")
    care_daily(today=dt.date(2026, 12, 2))

    assert not OutboundMessage.objects.filter(body__contains="закончилось").exists()
