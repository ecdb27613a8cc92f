"""Clinic search: the nearest 20 clinics of one program around a point, among N clinics in
Moscow and St. Petersburg and M programs of ~1,000 clinic rows each. Prints latency percentiles
and query counts of `clinic_directory`; asserts nothing.

    ./polis bench clinic_search [--clinics 10000] [--programs 100] [--runs 500] [--database URL]

Without --database it uses a fresh SQLite file in a temporary folder; with a PostgreSQL URL it
creates and drops its own database `polis_bench_clinics`.
"""

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal

from _setup import ThrowawayDatabase, percentile

DB_NAME = "polis_bench_clinics"
# (city, share of the clinics, latitude range, longitude range): the cities' built-up areas.
CITIES = (
    ("Москва", 0.7, (55.57, 55.91), (37.37, 37.85)),
    ("Санкт-Петербург", 0.3, (59.83, 60.05), (30.20, 30.50)),
)
ROWS_PER_PROGRAM = 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clinics", type=int, default=10_000)
    parser.add_argument("--programs", type=int, default=100)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--database", default="")
    args = parser.parse_args()

    with ThrowawayDatabase(args.database, DB_NAME):
        from django.db import connection

        from polis.coverage.models import AccessMode, Program, ProgramClinic
        from polis.network.directory import DirectoryFilters, clinic_directory
        from polis.network.models import Clinic, KindOfCare
        from polis.testing import factories as f

        rng = random.Random(42)
        started = time.perf_counter()

        def coordinate(low: float, high: float) -> Decimal:
            return Decimal(f"{rng.uniform(low, high):.6f}")

        clinics = []
        for n in range(args.clinics):
            city, _share, lat, lon = CITIES[0] if rng.random() < CITIES[0][1] else CITIES[1]
            clinics.append(
                Clinic(
                    code=f"B{n:06d}",
                    name=f"Клиника №{n}",
                    city=city,
                    address=f"г. {city}, ул. Тестовая, д. {n}",
                    metro="Тестовая",
                    latitude=coordinate(*lat),
                    longitude=coordinate(*lon),
                    phones="+7 495 123-45-67",
                    is_franchise=rng.random() < 0.2,
                    has_online_booking=rng.random() < 0.4,
                )
            )
        Clinic.objects.bulk_create(clinics, batch_size=2000)
        clinic_ids = list(Clinic.objects.values_list("pk", flat=True))

        contract = f.ContractFactory()
        programs = Program.objects.bulk_create(
            [Program(contract=contract, code=f"P{n}", name=f"Программа {n}") for n in range(args.programs)]
        )
        modes = [AccessMode.DESK, AccessMode.REGISTRY, AccessMode.ONLINE]
        rows = []
        for program in programs:
            # ~850 clinics for outpatient care, a fifth of them for dentistry too: ~1,000 rows.
            for clinic_id in rng.sample(clinic_ids, min(len(clinic_ids), ROWS_PER_PROGRAM * 85 // 100)):
                rows.append(ProgramClinic(program=program, clinic_id=clinic_id, kind=KindOfCare.OUTPATIENT,
                                          access_mode=rng.choice(modes)))  # fmt: skip
                if rng.random() < 0.2:
                    rows.append(ProgramClinic(program=program, clinic_id=clinic_id, kind=KindOfCare.DENTAL,
                                              access_mode=rng.choice(modes)))  # fmt: skip
        ProgramClinic.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        program = programs[len(programs) // 2]
        user = f.UserFactory(email="bench@example.ru", phone="+79990000000")
        policy = f.PolicyFactory(insured=f.InsuredPersonFactory(user=user), program=program, contract=contract)
        setup_s = time.perf_counter() - started

        moscow = CITIES[0]

        def point() -> tuple[Decimal, Decimal]:
            return coordinate(*moscow[2]), coordinate(*moscow[3])

        def measure(call: Callable[[tuple[Decimal, Decimal]], object], runs: int) -> tuple[list[float], int]:
            call(point())  # warm caches
            queries: list[str] = []
            with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
                call(point())
            timings = []
            for _ in range(runs):
                origin = point()
                begun = time.perf_counter()
                call(origin)
                timings.append((time.perf_counter() - begun) * 1000)
            return timings, len(queries)

        def search(filters: DirectoryFilters, *, markers: bool = False) -> Callable[[tuple[Decimal, Decimal]], object]:
            def call(origin: tuple[Decimal, Decimal]) -> object:
                result = clinic_directory(
                    user=user, policy_id=policy.pk, filters=filters, origin=origin, page=1, with_markers=markers
                )
                assert len(result.cards) == 20
                return result

            return call

        vendor = connection.vendor
        in_program = ProgramClinic.objects.filter(program=program).values("clinic_id").distinct().count()
        print(
            f"database={vendor} python={sys.version.split()[0]} clinics={Clinic.objects.count()} "
            f"programs={len(programs)} program_clinic_rows={ProgramClinic.objects.count()} "
            f"clinics_in_program={in_program} setup={setup_s:.1f}s"
        )
        for name, call, runs in (
            ("nearest 20", search(DirectoryFilters()), args.runs),
            ("nearest 20 dental", search(DirectoryFilters(kind=KindOfCare.DENTAL)), args.runs),
            ("+ map markers", search(DirectoryFilters(), markers=True), args.runs),
            ("access=online", search(DirectoryFilters(access=AccessMode.ONLINE)), max(args.runs // 5, 10)),
        ):
            timings, queries = measure(call, runs)
            print(
                f"{name:18} runs={runs:4} queries={queries:2} "
                f"p50={statistics.median(timings):7.1f} ms  p95={percentile(timings, 95):7.1f} ms  "
                f"max={max(timings):7.1f} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
