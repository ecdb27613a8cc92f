"""A clinic's registry of N lines through the whole job: file → staging → checks → lines →
accrual → invoices. Prints the job's time, its phases, the importing process's peak memory, and
(on PostgreSQL) a plain COPY of the same file into an unlogged table, then `ratio=<job/copy>`.

    ./polis bench registry --lines 1000000 [--database postgres://postgres@127.0.0.1:5432/postgres]

The world is the issue's: 200 000 insured, 2 000 clinics, 5 000 services; a quarter of the lines
fall on franchise programs, about 2 % are bad in one of the ways a registry goes wrong. The job
runs in a child process (as a worker would), so its peak memory is its own, not the generator's.
"""

import argparse
import csv
import datetime as dt
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from _setup import ThrowawayDatabase

PEOPLE = 200_000
CLINICS = 2_000
SERVICES = 5_000
PROGRAMS = 40
PERIOD = dt.date(2026, 10, 1)
LAST = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров"]
FIRST = ["Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья", "Кирилл", "Михаил"]
MIDDLE = ["Александрович", "Дмитриевич", "Сергеевич", "Андреевич", "Алексеевич", "Ильич", "Петрович", ""]
CATEGORIES = ["consultation", "diagnostics", "procedures", "dental"]


def person_name(i: int) -> tuple[str, str, str]:
    return LAST[i % 10], FIRST[(i // 10) % 10], MIDDLE[(i // 100) % 8]


def populate(args: argparse.Namespace) -> tuple[int, int]:
    """Reference data: contracts, programs, clinics, price lists, people, policies, activations."""
    from django.db import connection

    from polis.billing.models import FranchiseActivation
    from polis.coverage import models as cov
    from polis.coverage.models import name_key
    from polis.network.models import Clinic, PriceListItem
    from polis.testing import factories as f

    user = f.UserFactory(email="bench@example.ru", phone=None, role="backoffice")
    holder = cov.Policyholder.objects.create(kind="legal", name="ООО «Бенчмарк»")
    contract = cov.Contract.objects.create(
        number="BENCH-1", policyholder=holder, signed_on=dt.date(2025, 12, 1),
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31),
    )  # fmt: skip
    programs = cov.Program.objects.bulk_create(
        cov.Program(
            contract=contract, code=f"P{i}", name=f"Программа {i}",
            franchise_activation="consent" if i % 2 == 0 else "none",
            payment_deadline_days=30, payment_deadline_kind="working",
        )
        for i in range(PROGRAMS)
    )  # fmt: skip
    clinics = Clinic.objects.bulk_create(
        Clinic(name=f"Клиника {i}", city="Москва", address=f"ул. Тестовая, {i}", is_franchise=(i == 0), code=f"C{i}")
        for i in range(CLINICS)
    )
    clinic = clinics[0]
    kinds = ["outpatient", "dental"]
    cov.ProgramCare.objects.bulk_create(cov.ProgramCare(program=p, kind=k) for p in programs for k in kinds)
    cov.ProgramClinic.objects.bulk_create(
        (cov.ProgramClinic(program=p, clinic=c, kind=k) for p in programs for c in clinics[:200] for k in kinds),
        batch_size=5000,
    )
    cov.CopayRule.objects.bulk_create(
        cov.CopayRule(program=p, service_category=cat, percent=30 if cat != "dental" else None,
                      fixed_kopecks=50000 if cat == "dental" else None)
        for p in programs if p.franchise_activation != "none" for cat in CATEGORIES
    )  # fmt: skip
    PriceListItem.objects.bulk_create(
        (
            PriceListItem(clinic=c, code=f"S{s}", name=f"Услуга {s}", service_category=CATEGORIES[s % 4],
                          price_kopecks=10000 + (s % 300) * 1000)
            for c in clinics for s in (range(SERVICES) if c is clinic else range(0, SERVICES, 100))
        ),
        batch_size=5000,
    )  # fmt: skip
    people = []
    for i in range(PEOPLE):
        last, first, middle = person_name(i)
        people.append(
            cov.InsuredPerson(
                last_name=last, first_name=first, patronymic=middle,
                birth_date=dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
                sex="m", name_key=name_key(last, first, middle),
            )
        )  # fmt: skip
    cov.InsuredPerson.objects.bulk_create(people, batch_size=5000)
    people = list(cov.InsuredPerson.objects.order_by("pk"))
    policies = cov.Policy.objects.bulk_create(
        (
            cov.Policy(
                number=f"BN-{i:07d}", contract=contract, program=programs[i % PROGRAMS], insured=person,
                issued_on=dt.date(2025, 12, 20), starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31),
            )
            for i, person in enumerate(people)
        ),
        batch_size=5000,
    )  # fmt: skip
    msk = dt.timezone(dt.timedelta(hours=3))
    FranchiseActivation.objects.bulk_create(
        (
            FranchiseActivation(
                policy=p, method="consent", requested_by=user, effective_at=dt.datetime(2026, 1, 1, tzinfo=msk)
            )
            for i, p in enumerate(policies) if programs[i % PROGRAMS].franchise_activation != "none" and i % 10 != 0
        ),
        batch_size=5000,
    )  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return clinic.pk, user.pk


def write_file(path: Path, lines: int, seed: int = 7) -> None:
    """A realistic registry: Russian headers, ';', decimal comma; ~2 % bad lines."""
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        w = csv.writer(out, delimiter=";", lineterminator="\r\n")
        w.writerow(["№ п/п", "ФИО", "Дата рождения", "Номер полиса", "Дата услуги", "Код услуги",
                    "Наименование услуги", "Количество", "Цена", "Сумма", "Врач", "МКБ-10", "Зуб"])  # fmt: skip
        for n in range(1, lines + 1):
            i = rnd.randrange(PEOPLE)
            last, first, middle = person_name(i)
            birth = dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
            s = rnd.randrange(SERVICES)
            qty = 1 if rnd.random() < 0.9 else 2
            price = 10000 + (s % 300) * 1000
            day = 1 + rnd.randrange(31)
            row = [
                n, f"{last} {first} {middle}".strip(), f"{birth:%d.%m.%Y}", f"BN-{i:07d}", f"{day:02d}.10.2026",
                f"S{s}", f"Услуга {s}", qty, f"{price // 100},{price % 100:02d}",
                f"{price * qty // 100},{price * qty % 100:02d}", f"Врач {rnd.randrange(500)}", "J06.9",
                str(11 + rnd.randrange(30)) if s % 4 == 3 else "",
            ]  # fmt: skip
            bad = rnd.random()
            if bad < 0.004:
                row[3] = f"XX-{i:07d}"  # unknown policy
            elif bad < 0.008:
                row[2] = "01.01.1900"  # person mismatch
            elif bad < 0.012:
                row[9] = "1,00"  # sum mismatch
            elif bad < 0.014:
                row[4] = "31.09.2026"  # no such date
            elif bad < 0.016:
                row[5] = "NOPE"  # unknown service
            elif bad < 0.02:
                row[4] = "15.09.2026"  # outside the period
            w.writerow(row)


CHILD = r"""
import os, sys, time, json
import django
django.setup()
from polis.jobs.services import job_run
from polis.billing.registries.services import TIMINGS
started = time.perf_counter()
job_run(job_id=int(sys.argv[1]))
elapsed = time.perf_counter() - started
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so it would report the parent's peak.
rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
print(json.dumps({"seconds": elapsed, "maxrss_mb": rss, "phases": TIMINGS}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--database", default="")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database (to look into it)")
    args = parser.parse_args()

    with ThrowawayDatabase(args.database, "polis_bench_registry", tasks="database", keep=args.keep) as db:
        import json

        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.db import connection
        from django.utils import timezone

        from polis.accounts.models import User
        from polis.billing.models import CopayInvoice, Registry, RegistryLine
        from polis.network.models import Clinic

        vendor = connection.vendor
        started = time.perf_counter()
        clinic_id, user_id = populate(args)
        print(
            f"setup: {PEOPLE} insured, {CLINICS} clinics, {SERVICES} services in {time.perf_counter() - started:.1f} s"
        )

        folder = Path(db.tmp)  # removed with the database unless --keep
        path = folder / "registry.csv"
        started = time.perf_counter()
        write_file(path, args.lines)
        if args.keep:
            print(f"file kept at {path}")
        size_mb = path.stat().st_size / 1e6
        print(f"file: {args.lines} lines, {size_mb:.1f} MB, written in {time.perf_counter() - started:.1f} s")

        from polis import clock
        from polis.billing.registries.services import registry_submit

        with path.open("rb") as fh:
            upload = SimpleUploadedFile("registry.csv", fh.read())
        # Today inside the period's next month, as when a registry arrives.
        assert clock.today() > PERIOD, "run the bench after the period it bills"
        registry, _ = registry_submit(
            clinic=Clinic.objects.get(pk=clinic_id),
            period=PERIOD,
            uploaded_file=upload,
            user=User.objects.get(pk=user_id),
        )
        del upload
        connection.close()
        env = dict(os.environ)
        result = subprocess.run(
            [sys.executable, "-c", CHILD, str(registry.job_id)], env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            print(result.stderr[-4000:])
            return 1
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        for phase, seconds in figures["phases"].items():
            print(f"  {phase}: {seconds:.2f} s")
        registry.refresh_from_db()
        lines = RegistryLine.objects.filter(registry=registry).count()
        invoices = CopayInvoice.objects.filter(registry=registry).count()
        print(
            f"job: {figures['seconds']:.2f} s on {vendor} — {lines} lines ({registry.lines_accepted} accepted, "
            f"{registry.lines_rejected} rejected), {invoices} invoices; status {registry.status}; "
            f"peak memory of the importing process {figures['maxrss_mb']:.0f} MB"
        )
        assert lines == args.lines, "every line is written"
        if vendor != "postgresql":
            print(f"seconds={figures['seconds']:.2f}")
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE UNLOGGED TABLE bench_copy (line text, name text, birth text, policy text, day text, code text,"
                " service text, qty text, price text, total text, doctor text, icd text, tooth text)"
            )
            started = time.perf_counter()
            with (
                path.open("rb") as fh,
                cursor.cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';')") as copy,
            ):
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
            copy_seconds = time.perf_counter() - started
        print(f"plain COPY of the same file into an unlogged table: {copy_seconds:.2f} s")
        print(f"ratio={figures['seconds'] / copy_seconds:.2f}")
        del db, timezone, Registry
    return 0


if __name__ == "__main__":
    sys.exit(main())
