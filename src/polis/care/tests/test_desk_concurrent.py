"""The desk's steps taken twice at the same moment, by two dispatchers, two clinic clerks or two
daily rounds: each happens once, and the second hears why. Real concurrency needs real
connections and row locks, so this runs on PostgreSQL only."""

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from polis.care import clinic, daily, desk, desk_letters
from polis.care.models import CareEvent, GuaranteeLetter, LetterKind, LetterStatus, RequestStatus
from polis.care.states import CareError
from polis.care.tests.test_desk_world import make_request
from polis.network.models import KindOfCare
from polis.testing import concurrency
from polis.testing import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="нужен PostgreSQL: SQLite не пишет параллельно"),
]


def together(action: Callable[[], Any], times: int = 2) -> list[Any]:
    return concurrency.together(action, times, refusals=(CareError,))


@pytest.fixture
def clinic_of_program(alice_policy):
    found = f.ClinicFactory(name="Клиника на Тверской")
    f.ProgramClinicFactory(program=alice_policy.program, clinic=found, kind=KindOfCare.OUTPATIENT)
    return found


def test_two_dispatchers_take_one_request_once(alice_policy, desk_user):
    other = f.UserFactory(email="desk2@example.ru", phone=None, role="desk")
    request = make_request(alice_policy)
    users = iter([desk_user, other])
    lock = threading.Lock()

    def take() -> Any:
        with lock:
            who = next(users)
        return desk.request_take(request=type(request).objects.get(pk=request.pk), dispatcher=who)

    results = together(take)

    refusals = [r for r in results if isinstance(r, CareError)]
    assert len(refusals) == 1, results
    assert CareEvent.objects.filter(request=request, action="take").count() == 1
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_WORK


def test_two_clicks_on_issue_give_one_letter(alice_policy, desk_user, clinic_of_program):
    request = make_request(alice_policy, status=RequestStatus.IN_WORK, dispatcher=desk_user)

    results = together(
        lambda: desk_letters.letter_issue(
            request=type(request).objects.get(pk=request.pk),
            dispatcher=desk_user,
            clinic=clinic_of_program,
            kind=LetterKind.CONSULTATION,
            scope="Приём терапевта",
        )
    )

    assert sum(isinstance(r, CareError) for r in results) == 1, results
    assert GuaranteeLetter.objects.filter(request=request).count() == 1


def test_two_clerks_confirm_receipt_once(alice_policy, desk_user, clinic_of_program):
    request = make_request(alice_policy, status=RequestStatus.IN_WORK, dispatcher=desk_user)
    letter = desk_letters.letter_issue(
        request=request, dispatcher=desk_user, clinic=clinic_of_program, kind=LetterKind.CONSULTATION, scope="Приём"
    )
    clerks = [
        f.UserFactory(email=f"clerk{i}@example.ru", phone=None, role="clinic", clinic=clinic_of_program) for i in (1, 2)
    ]
    who = iter(clerks)
    lock = threading.Lock()

    def receive() -> Any:
        with lock:
            clerk = next(who)
        return clinic.letter_receive(letter=GuaranteeLetter.objects.get(pk=letter.pk), clerk=clerk)

    results = together(receive)

    assert sum(isinstance(r, CareError) for r in results) == 1, results
    assert CareEvent.objects.filter(letter=letter, action="receive").count() == 1


def test_two_daily_rounds_at_once_expire_each_letter_once(alice_policy, desk_user, clinic_of_program):
    letters = []
    for _ in range(3):
        request = make_request(alice_policy, status=RequestStatus.IN_WORK, dispatcher=desk_user)
        letters.append(
            desk_letters.letter_issue(
                request=request, dispatcher=desk_user, clinic=clinic_of_program, kind=LetterKind.CONSULTATION,
                scope="Приём", valid_to=dt.date(2026, 11, 25),
            )
        )  # fmt: skip

    together(lambda: daily.care_daily(today=dt.date(2026, 11, 26)))

    for letter in letters:
        letter.refresh_from_db()
        assert letter.status == LetterStatus.EXPIRED
        assert CareEvent.objects.filter(letter=letter, action="expire").count() == 1
