"""What one policy gives its insured person: limits left, clinics by kind of care, co-pay, contacts."""

import datetime as dt
from decimal import Decimal

import pytest

from polis.care.models import DeskContact
from polis.coverage.models import (
    AccessMode,
    CopayRule,
    FranchiseActivation,
    LimitPeriod,
    LimitUsage,
    PolicyStatus,
    ServiceCategory,
)
from polis.coverage.selectors import policy_overview, ru_plural
from polis.network.models import KindOfCare
from polis.testing import factories as f


def use(policy, limit, quantity=1):
    return LimitUsage.objects.create(policy=policy, limit=limit, used_on=dt.date(2026, 3, 1), quantity=quantity)


def limit_line(overview, name):
    return next(line for line in overview.limits if line.name == name)


def test_a_contract_period_limit_counts_uses_on_every_policy_of_the_person_on_that_contract(alice_policy):
    contract = alice_policy.contract
    psychologist = f.ProgramLimitFactory(program=alice_policy.program, name="Психолог", max_count=3,
                                         period=LimitPeriod.CONTRACT)  # fmt: skip
    # After a change of program on the same contract the counter goes on, not from zero.
    earlier_program = f.ProgramFactory(contract=contract)
    earlier_limit = f.ProgramLimitFactory(program=earlier_program, service_group=psychologist.service_group,
                                          period=LimitPeriod.CONTRACT)  # fmt: skip
    earlier = f.PolicyFactory(insured=alice_policy.insured, program=earlier_program, contract=contract)
    use(earlier, earlier_limit)
    use(alice_policy, psychologist)
    # Neither another person on the contract nor the same person on another contract counts.
    use(f.PolicyFactory(program=alice_policy.program), psychologist)
    other_contract_program = f.ProgramFactory()
    other_limit = f.ProgramLimitFactory(program=other_contract_program, service_group=psychologist.service_group)
    use(f.PolicyFactory(insured=alice_policy.insured, program=other_contract_program), other_limit)

    line = limit_line(policy_overview(policy=alice_policy), "Психолог")

    assert (line.used, line.left, line.max_count) == (2, 1, 3)


def test_a_policy_term_limit_counts_only_this_policys_uses(alice_policy):
    massage = f.ProgramLimitFactory(program=alice_policy.program, service_group="massage", name="Массаж",
                                    max_count=10, period=LimitPeriod.POLICY_TERM)  # fmt: skip
    use(alice_policy, massage, quantity=4)
    earlier = f.PolicyFactory(insured=alice_policy.insured, program=alice_policy.program)
    use(earlier, massage, quantity=5)

    line = limit_line(policy_overview(policy=alice_policy), "Массаж")

    assert (line.used, line.left) == (4, 6)
    assert line.used_percent == 40


def test_what_is_left_of_a_limit_never_goes_below_zero(alice_policy):
    limit = f.ProgramLimitFactory(program=alice_policy.program, name="Психолог", max_count=3)
    use(alice_policy, limit, quantity=5)

    line = limit_line(policy_overview(policy=alice_policy), "Психолог")

    assert (line.used, line.left, line.used_percent) == (5, 0, 100)


def test_the_overview_groups_clinics_by_kind_of_care_in_the_kinds_order(alice_policy):
    program = alice_policy.program
    spb = f.ClinicFactory(name="Альфа", city="Санкт-Петербург")
    moscow_b = f.ClinicFactory(name="Бета", city="Москва")
    moscow_a = f.ClinicFactory(name="Авиценна", city="Москва")
    closed = f.ClinicFactory(name="Закрытая", is_active=False)
    f.ProgramClinicFactory(program=program, clinic=spb, kind=KindOfCare.DENTAL, access_mode=AccessMode.ONLINE)
    f.ProgramClinicFactory(program=program, clinic=moscow_b, kind=KindOfCare.OUTPATIENT)
    f.ProgramClinicFactory(program=program, clinic=spb, kind=KindOfCare.OUTPATIENT)
    f.ProgramClinicFactory(program=program, clinic=moscow_a, kind=KindOfCare.OUTPATIENT)
    f.ProgramClinicFactory(program=program, clinic=closed, kind=KindOfCare.INPATIENT)
    f.ProgramClinicFactory(clinic=moscow_a, kind=KindOfCare.INPATIENT)  # another program's

    groups = policy_overview(policy=alice_policy).clinic_groups

    assert [g.kind for g in groups] == [KindOfCare.OUTPATIENT, KindOfCare.DENTAL]
    assert groups[0].label == "Амбулаторно-поликлиническая помощь"
    assert [line.clinic.name for line in groups[0].clinics] == ["Авиценна", "Бета", "Альфа"]
    assert [(line.clinic.name, line.access_label) for line in groups[1].clinics] == [("Альфа", "Онлайн-запись")]


def test_kinds_of_care_are_listed_in_the_kinds_order_with_their_conditions(alice_policy):
    f.ProgramCareFactory(program=alice_policy.program, kind=KindOfCare.INPATIENT, conditions="Только экстренно")
    f.ProgramCareFactory(program=alice_policy.program, kind=KindOfCare.OUTPATIENT)

    care = policy_overview(policy=alice_policy).care

    assert [(c.kind, c.conditions) for c in care] == [
        (KindOfCare.OUTPATIENT, ""),
        (KindOfCare.INPATIENT, "Только экстренно"),
    ]


def test_copay_rules_are_shown_in_plain_words_for_a_franchise_program(alice_policy):
    program = alice_policy.program
    program.franchise_activation = FranchiseActivation.DEPOSIT
    program.deposit_per_person_kopecks = 30000
    program.activation_delay_working_days = 3
    program.payment_deadline_days = 5
    program.save()
    CopayRule.objects.create(program=program, service_category=ServiceCategory.INPATIENT, percent=Decimal(0))
    CopayRule.objects.create(program=program, service_category=ServiceCategory.CONSULTATION, percent=Decimal("20.00"))
    CopayRule.objects.create(program=program, service_category=ServiceCategory.HOME_VISIT, fixed_kopecks=150000)

    overview = policy_overview(policy=alice_policy)

    assert overview.has_franchise
    assert overview.franchise_activation_label == "Неснижаемый авансовый платёж"
    assert [(c.category, c.rule) for c in overview.copay] == [
        ("Приёмы врачей", "20 %"),
        ("Вызов врача на дом", "1\xa0500,00\xa0₽ за посещение"),
        ("Стационар", "0 %"),
    ]
    terms = " ".join(overview.franchise_terms)
    assert "300,00\xa0₽" in terms
    assert "через 3 рабочих дня после активации" in terms
    assert "в течение 5 рабочих дней" in terms


def test_a_program_without_franchise_shows_no_copay(alice_policy):
    CopayRule.objects.create(program=alice_policy.program, service_category=ServiceCategory.DENTAL, percent=10)

    overview = policy_overview(policy=alice_policy)

    assert (overview.has_franchise, overview.copay, overview.franchise_terms) == (False, [], [])


def test_the_desk_phones_of_the_insureds_city_come_before_the_federal_ones(alice_policy):
    DeskContact.objects.create(city="", title="Федеральный", phone="8 800 100-00-00", order=0)
    DeskContact.objects.create(city="Москва", title="Москва", phone="+7 495 111-11-11", order=9)
    DeskContact.objects.create(city="Самара", title="Самара", phone="+7 846 000-00-00")

    desk = policy_overview(policy=alice_policy).desk

    assert [c.title for c in desk] == ["Москва", "Федеральный"]


def test_the_administrators_contacts_come_from_the_contract_and_may_be_absent(alice_policy):
    assert policy_overview(policy=alice_policy).admin.name == "Толмачева Анастасия Владимировна"

    contract = alice_policy.contract
    contract.admin_name = contract.admin_phone = contract.admin_email = ""
    contract.save()

    assert policy_overview(policy=alice_policy).admin is None


def test_the_status_and_the_registry_clinic_are_told_as_of_the_given_day(alice_policy):
    clinic = f.ClinicFactory(name="Клиника прикрепления")
    alice_policy.service_mode = "registry"
    alice_policy.registry_clinic = clinic
    alice_policy.save()

    before = policy_overview(policy=alice_policy, on=dt.date(2025, 12, 31))
    after = policy_overview(policy=alice_policy, on=dt.date(2027, 1, 1))

    assert (before.status, before.status_label) == (PolicyStatus.PENDING, "Не вступил в силу")
    assert after.status_label == "Срок истёк"
    assert before.registry_clinic == clinic
    assert before.service_mode_label == "Через регистратуру клиники"


@pytest.mark.parametrize(
    ("n", "form"),
    [
        (1, "день"),
        (2, "дня"),
        (4, "дня"),
        (5, "дней"),
        (11, "дней"),
        (12, "дней"),
        (21, "день"),
        (22, "дня"),
        (111, "дней"),
    ],
)
def test_russian_plural_forms_follow_the_last_digits(n, form):
    assert ru_plural(n, "день", "дня", "дней") == form
