"""What spans chunks is decided as in one pass, whichever reader and wherever the lines go.

The file is cut into tiny blocks here (a few lines each), so that a repeated number, a duplicate
line and the lines of one fixed-sum visit fall into different chunks; the decisions must be
those of the same file read whole, through the careful reader (XLSX), and on PostgreSQL into a
partition of the registry's own."""

import datetime as dt

import pytest
from django.db import connection

from polis.billing.models import CopayInvoice, Registry
from polis.billing.registries import pipeline, reading, services
from polis.billing.registries.decide import References
from polis.billing.registries.services import registry_submit
from polis.billing.tests.registry_world import PERIOD, build_world, csv_file, line, twin_clinic, xlsx_file
from polis.coverage.models import name_key

pytestmark = pytest.mark.django_db


def lines_for(world) -> list[dict[str, str]]:
    a, s = world.alice, world.son
    person = a.insured
    shouted = "  ".join(p.upper() for p in (person.last_name, person.first_name, person.patronymic) if p)
    dental = {"Код услуги": "3001", "Цена": "6000", "Сумма": "6000", "Наименование услуги": "Лечение кариеса"}
    return [
        line(a),
        line(s, **dental, **{"Зуб": "16"}),
        line(a, **{"Номер полиса": "999"}),
        line(a, **{"Дата услуги": "20/10/2026"}),  # read by Python
        line(s, **dental, **{"Зуб": "17"}),  # the same visit: no second fixed sum
        line(a),  # duplicate of line 1, chunks later
        line(a, **{"№ п/п": "3", "Дата услуги": "16.10.2026"}),  # a repeated number
        line(a, **{"Дата услуги": "20.10.2026"}),  # duplicate of line 4 (read by Polars)
        line(s, **dental, **{"Зуб": "18", "Дата услуги": "16.10.2026"}),  # another visit
        line(a, **{"Сумма": "1,00"}),  # sum mismatch: not a duplicate of anything
        line(a, **{"ФИО": f" {shouted} "}),  # the name read by Python; a duplicate of line 1
    ]


def outcome(registry: Registry) -> tuple:
    registry.refresh_from_db()
    lines = tuple(
        registry.lines.order_by("row").values_list("row", "line_no", "status", "reason", "policy_id", "copay_kopecks")
    )
    invoices = tuple(
        CopayInvoice.objects.filter(registry=registry).order_by("policy_id").values_list("policy_id", "copay_kopecks")
    )
    return registry.status, registry.lines_accepted, registry.copay_kopecks, lines, invoices


def run(world, clinic, upload, user, capture) -> tuple:
    with capture(execute=True):
        registry, _ = registry_submit(clinic=clinic, period=PERIOD, uploaded_file=upload, user=user)
    return outcome(registry)


@pytest.fixture
def world(alice_policy):
    return build_world(alice_policy)


def test_tiny_chunks_decide_as_one_pass_and_as_the_careful_reader(
    world, backoffice_user, django_capture_on_commit_callbacks, monkeypatch
):
    whole = run(world, world.clinic, csv_file(lines_for(world)), backoffice_user, django_capture_on_commit_callbacks)
    reasons = [ln[3] for ln in whole[3]]
    assert reasons == [
        "",
        "",
        "unknown_policy",
        "",
        "",
        "duplicate_line",
        "duplicate_number",
        "duplicate_line",
        "",
        "sum_mismatch",
        "duplicate_line",
    ]
    copays = [ln[5] for ln in whole[3]]
    assert copays[1] == 1000_00 and copays[4] == 0 and copays[8] == 1000_00

    monkeypatch.setattr(reading, "BLOCK", 300)  # two or three lines a block
    # The first pass's policy numbers fetched as they come, a round trip each on PostgreSQL (the
    # two people's policies and the unknown number arrive in different blocks); at its end on
    # SQLite.
    monkeypatch.setattr(pipeline, "FETCH_AT", 1)
    fetches: list[int] = []
    fetch = References.fetch_policies

    def counted(self: References, numbers):  # type: ignore[no-untyped-def]
        fetches.append(numbers.len())
        return fetch(self, numbers)

    monkeypatch.setattr(References, "fetch_policies", counted)
    chunked = run(
        world, twin_clinic(world), csv_file(lines_for(world)), backoffice_user, django_capture_on_commit_callbacks
    )
    assert sum(fetches) == 3
    assert len(fetches) > 1 if connection.vendor == "postgresql" else len(fetches) == 1
    careful = run(
        world, twin_clinic(world), xlsx_file(lines_for(world)), backoffice_user, django_capture_on_commit_callbacks
    )

    def same(result: tuple) -> tuple:
        status, accepted, copay, lines, invoices = result
        return status, accepted, copay, tuple(ln[:4] + ln[5:] for ln in lines), tuple(i[1] for i in invoices)

    assert same(chunked) == same(whole)
    assert same(careful) == same(whole)


def test_a_row_wider_than_the_header_hands_the_file_to_the_careful_reader(
    world, backoffice_user, django_capture_on_commit_callbacks
):
    upload = csv_file(lines_for(world))
    content = upload.read().decode("utf-8").split("\r\n")
    content[3] += ";лишняя ячейка"
    with django_capture_on_commit_callbacks(execute=True):
        registry, _ = registry_submit(
            clinic=world.clinic,
            period=PERIOD,
            uploaded_file=type(upload)("registry.csv", "\r\n".join(content).encode("utf-8")),
            user=backoffice_user,
        )
    registry.refresh_from_db()
    # tabular reads rows as wide as the header and ignores the extra cell: nothing is lost.
    assert registry.lines.count() == len(lines_for(world))


def test_quoted_newlines_across_blocks_keep_excel_numbering(
    world, backoffice_user, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(reading, "BLOCK", 200)
    name = "Приём\nтерапевта\n«первичный»"
    lines = [line(world.alice, **{"Наименование услуги": name, "Дата услуги": f"{d}.10.2026"}) for d in range(10, 20)]
    result = run(world, world.clinic, csv_file(lines), backoffice_user, django_capture_on_commit_callbacks)
    assert [ln[0] for ln in result[3]] == list(range(2, 12))
    assert all(ln[2] == "accepted" for ln in result[3])


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_big_registry_goes_into_a_partition_of_its_own_with_the_same_decisions(
    world, backoffice_user, django_capture_on_commit_callbacks, monkeypatch
):
    shared = run(world, world.clinic, csv_file(lines_for(world)), backoffice_user, django_capture_on_commit_callbacks)
    monkeypatch.setattr(pipeline, "OWN_PARTITION_LINES", 1)
    twin = twin_clinic(world)
    own = run(world, twin, csv_file(lines_for(world)), backoffice_user, django_capture_on_commit_callbacks)
    registry = Registry.objects.get(clinic=twin)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'billing_registryline'"
        )
        partitions = {r[0] for r in cursor.fetchall()}
        cursor.execute(f"SELECT COUNT(*) FROM billing_registryline_r{int(registry.pk)}")  # noqa: S608
        (in_own,) = cursor.fetchone()
    assert f"billing_registryline_r{registry.pk}" in partitions
    assert in_own == len(lines_for(world))
    assert own[:3] == shared[:3] and [ln[1:4] for ln in own[3]] == [ln[1:4] for ln in shared[3]]
    # The lines are found by id, by registry and by policy as before (the partition's indexes).
    first = registry.lines.order_by("row").first()
    assert first is not None and registry.lines.get(pk=first.pk).row == first.row
    # Numbered by the registry itself, above every id of the sequence (and exact in JSON).
    ids = dict(registry.lines.values_list("row", "pk"))
    assert ids == {row: (1 << 52) + registry.pk * (1 << 28) + row for row in ids}
    assert max(ids.values()) < 1 << 53
    shared_ids = Registry.objects.exclude(pk=registry.pk).get(clinic=world.clinic).lines.values_list("pk", flat=True)
    assert max(shared_ids) < 1 << 52
    # Every row of the largest file accepted fits the row's bits (a row is at least a byte).
    assert services.MAX_BYTES < 1 << pipeline._ROW_BITS
    assert registry.lines.filter(policy=world.alice).count() == sum(1 for ln in own[3] if ln[4] == world.alice.pk)


def test_a_name_is_the_insured_s_whatever_its_case_spaces_or_yo(
    world, backoffice_user, django_capture_on_commit_callbacks
):
    person = world.alice.insured
    person.last_name, person.first_name, person.patronymic = "Ёлкина", "Алёна", "Сергеевна"
    person.name_key = name_key(person.last_name, person.first_name, person.patronymic)
    person.save()
    names = [
        "Ёлкина Алёна Сергеевна",  # as the policy has it
        "ЁЛКИНА АЛЁНА СЕРГЕЕВНА",  # another case, read as a column
        "Елкина Алена Сергеевна",  # е for ё
        "елкина  алена сергеевна",  # two spaces: read by Python
        "Ёлкина Алёна",  # no patronymic: not the same person
        "Белкина Алёна Сергеевна",
    ]
    lines = [line(world.alice, **{"ФИО": n, "Дата услуги": f"{10 + i}.10.2026"}) for i, n in enumerate(names)]
    result = run(world, world.clinic, csv_file(lines), backoffice_user, django_capture_on_commit_callbacks)
    assert [ln[3] for ln in result[3]] == ["", "", "", "", "person_mismatch", "person_mismatch"]


def test_invoices_counted_from_the_lines_equal_those_counted_during_the_check(
    world, backoffice_user, django_capture_on_commit_callbacks
):
    """A registry checked but not accrued (by an earlier version of the job) gets the invoices
    the running totals would have given."""
    from polis.billing.registries.accrual import accrue

    run(world, world.clinic, csv_file(lines_for(world)), backoffice_user, django_capture_on_commit_callbacks)
    registry = Registry.objects.get(clinic=world.clinic)
    fields = ("number", "policy_id", "lines_count", "cost_kopecks", "copay_kopecks", "due_kopecks", "due_on")
    issued = list(CopayInvoice.objects.filter(registry=registry).order_by("number").values_list(*fields))
    assert len(issued) == 2
    CopayInvoice.objects.filter(registry=registry).delete()
    Registry.objects.filter(pk=registry.pk).update(accrued_at=None, invoices_count=0)
    assert accrue(registry) == 2
    assert list(CopayInvoice.objects.filter(registry=registry).order_by("number").values_list(*fields)) == issued


def test_iso_dates_are_read_as_columns_and_are_the_same_days(
    world, backoffice_user, django_capture_on_commit_callbacks, monkeypatch
):
    from polis.billing.registries import parse

    calls = {"n": 0}
    real = reading.parse_line

    def counted(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(reading, "parse_line", counted)
    person = world.alice.insured
    lines = [
        line(world.alice, **{"Дата услуги": "2026-10-15", "Дата рождения": f"{person.birth_date:%Y-%m-%d}"}),
        line(world.alice, **{"Дата услуги": "15.10.2026"}),  # the same service, the same day
        line(world.alice, **{"Дата услуги": "2026-09-31"}),  # no such day: Python says so
    ]
    result = run(world, world.clinic, csv_file(lines), backoffice_user, django_capture_on_commit_callbacks)
    assert [ln[3] for ln in result[3]] == ["", "duplicate_line", "bad_value"]
    assert calls["n"] == 1  # only the line with no such day went through Python
    bad = Registry.objects.get(clinic=world.clinic).lines.get(row=4)
    assert "2026-09-31" in bad.reason_detail and parse.LABELS["service_date"] in bad.reason_detail


def test_a_policy_activated_twice_is_covered_on_the_days_of_either_activation(
    world, backoffice_user, django_capture_on_commit_callbacks
):
    """Most policies carry their one activation on their own row; one with several is joined
    against all of them (on PostgreSQL fetched by a query of its own). Days between the two,
    and the day of an activation that took effect after midnight, are not covered."""
    from polis.billing.models import FranchiseActivation
    from polis.billing.tests.registry_world import MSK

    policy = world.inactive
    user = world.alice.insured.user
    FranchiseActivation.objects.create(
        policy=policy, method="consent", requested_by=user,
        effective_at=dt.datetime(2026, 10, 1, tzinfo=MSK), ended_at=dt.datetime(2026, 10, 10, 12, tzinfo=MSK),
    )  # fmt: skip
    FranchiseActivation.objects.create(
        policy=policy, method="consent", requested_by=user, effective_at=dt.datetime(2026, 10, 20, 9, tzinfo=MSK)
    )
    days = ["05.10.2026", "09.10.2026", "10.10.2026", "15.10.2026", "20.10.2026", "21.10.2026", "30.10.2026"]
    expected = ["", "", "franchise_not_active", "franchise_not_active", "franchise_not_active", "", ""]
    lines = [line(policy, **{"Дата услуги": day}) for day in days]
    for upload in (csv_file(lines), xlsx_file(lines)):
        result = run(world, twin_clinic(world), upload, backoffice_user, django_capture_on_commit_callbacks)
        assert [ln[3] for ln in result[3]] == expected
        assert [ln[5] for ln in result[3]] == [750_00 if not reason else 0 for reason in expected]


def test_the_first_pass_spill_is_removed_and_a_killed_worker_s_is_swept(
    world, backoffice_user, django_capture_on_commit_callbacks, monkeypatch, tmp_path
):
    """The first pass keeps its converted blocks in a temporary folder until the lines are
    written; the folder goes when the check ends, and one left by a worker killed hours ago goes
    with the next check."""
    import os
    import tempfile
    import time

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale = tmp_path / "polis-registry-spill-killed"
    stale.mkdir()
    (stale / "000000.arrow").write_bytes(b"left behind")
    hours_ago = time.time() - 7 * 3600
    os.utime(stale, (hours_ago, hours_ago))
    running = tmp_path / "polis-registry-spill-running"  # another worker's, just started
    running.mkdir()
    spills: list[str] = []
    write = reading.Spill.write

    def seen(self: reading.Spill, number, frame):  # type: ignore[no-untyped-def]
        spills.append(self.folder or "")
        write(self, number, frame)

    monkeypatch.setattr(reading.Spill, "write", seen)
    monkeypatch.setattr(reading, "BLOCK", 300)
    result = run(world, world.clinic, csv_file(lines_for(world)), backoffice_user, django_capture_on_commit_callbacks)
    assert result[0] == "done" and len(spills) > 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["polis-registry-spill-running"]


def test_policies_are_found_by_their_numbers_even_when_the_hashes_collide(
    world, backoffice_user, django_capture_on_commit_callbacks, monkeypatch
):
    import polars as pl

    from polis.billing.registries import decide

    whole = run(world, world.clinic, csv_file(lines_for(world)), backoffice_user, django_capture_on_commit_callbacks)
    monkeypatch.setattr(decide, "_number_key", lambda numbers: pl.Series([0] * numbers.len(), dtype=pl.UInt64))
    collided = run(
        world, twin_clinic(world), csv_file(lines_for(world)), backoffice_user, django_capture_on_commit_callbacks
    )
    assert [ln[1:] for ln in collided[3]] == [ln[1:] for ln in whole[3]]
    assert collided[4] == whole[4]


def test_a_registry_s_spill_replaces_what_its_killed_attempt_left(monkeypatch, tmp_path):
    """A worker killed during a check leaves its spill; the job's next attempt (the same
    registry) removes it at once, and leaves other registries' running checks alone."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    killed = tmp_path / "polis-registry-spill-r42-abc"
    killed.mkdir()
    (killed / "000003.arrow").write_bytes(b"left behind")
    running = tmp_path / "polis-registry-spill-r421-def"  # registry 421, not 42
    running.mkdir()
    spill = reading.Spill("r42")
    spill.open()
    assert spill.folder is not None and spill.folder.startswith(str(tmp_path / "polis-registry-spill-r42-"))
    assert not killed.exists() and running.exists()
    spill.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["polis-registry-spill-r421-def"]
