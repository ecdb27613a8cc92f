"""Two people pressing «Записаться» on the same time at the same moment: one booking, one clear
refusal. Real concurrency needs real connections and row locks, so this runs on PostgreSQL only:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/polis_bookhelper pytest -k concurrent
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from polis.accounts.models import User
from polis.coverage.models import AccessMode, Policy
from polis.network import booking as svc
from polis.network.booking import BookingError
from polis.network.models import Booking, BookingStatus, KindOfCare
from polis.network.tests.booking_factories import MONDAY, DoctorFactory, online_clinic, slot_at
from polis.testing import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="нужен PostgreSQL: SQLite не пишет параллельно"),
]


@pytest.fixture
def race(alice: User, bob: User) -> tuple[list[tuple[User, Policy]], int]:
    alice_policy = Policy.objects.get(number="001-0000001")
    bob_policy = Policy.objects.get(number="002-0000001")
    clinic = online_clinic(alice_policy.program)
    f.ProgramClinicFactory(
        program=bob_policy.program, clinic=clinic, kind=KindOfCare.OUTPATIENT, access_mode=AccessMode.ONLINE
    )
    slot = slot_at(DoctorFactory(clinic=clinic), MONDAY, 10)
    return [(alice, alice_policy), (bob, bob_policy)], slot.pk


def _run_together(people: list[tuple[User, Policy]], book: Callable[[User, Policy], Any]) -> list[Any]:
    """Each person books in their own thread (so their own connection and transaction)."""
    results: list[Any] = [None] * len(people)

    def run(index: int, user: User, policy: Policy) -> None:
        try:
            results[index] = book(user, policy)
        except BookingError as refusal:
            results[index] = refusal
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, u, p)) for i, (u, p) in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _assert_one_booking_one_clear_refusal(results: list[Any], slot_id: int) -> None:
    bookings = [r for r in results if isinstance(r, Booking)]
    refusals = [r for r in results if isinstance(r, BookingError)]
    assert len(bookings) == 1 and len(refusals) == 1, results
    assert refusals[0].message == "Это время только что заняли, выберите другое."
    assert Booking.objects.filter(slot_id=slot_id, status=BookingStatus.ACTIVE).count() == 1


def test_concurrent_bookings_of_one_slot_give_one_booking_and_one_clear_refusal(race):
    people, slot_id = race
    start = threading.Barrier(len(people), timeout=10)

    def book(user: User, policy: Policy) -> Booking:
        start.wait()
        return svc.booking_create(user=user, policy_id=policy.pk, slot_id=slot_id)

    _assert_one_booking_one_clear_refusal(_run_together(people, book), slot_id)


def test_concurrent_inserts_past_every_check_are_stopped_by_the_unique_index(race, monkeypatch):
    """The last line: both requests have passed every check (no slot lock, both saw it free) and
    insert at once; the partial unique index lets one through and the other gets the message."""
    people, slot_id = race
    at_insert = threading.Barrier(len(people), timeout=10)
    insert = svc._insert

    def unlocked_slot(slot_id: int) -> Any:
        return svc.Slot.objects.select_related("doctor__specialty", "clinic").get(pk=slot_id)

    def insert_together(**kwargs: Any) -> Booking:
        at_insert.wait()
        return insert(**kwargs)

    monkeypatch.setattr(svc, "_locked_slot", unlocked_slot)
    monkeypatch.setattr(svc, "_insert", insert_together)

    results = _run_together(
        people, lambda user, policy: svc.booking_create(user=user, policy_id=policy.pk, slot_id=slot_id)
    )

    _assert_one_booking_one_clear_refusal(results, slot_id)
