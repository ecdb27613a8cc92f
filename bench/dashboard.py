"""The insured person's hot pages: the dashboard and the policy page with N relatives, and the
two PDFs. Prints latency percentiles and query counts; asserts nothing.

    ./polis bench dashboard [--relatives 20] [--runs 200] [--database URL]

Without --database it uses a fresh SQLite file in a temporary folder; with a PostgreSQL URL it
creates and drops its own database `polis_bench`.
"""

import argparse
import statistics
import sys
import time

from _setup import ThrowawayDatabase, percentile


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--relatives", type=int, default=20)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--pdf-runs", type=int, default=10)
    parser.add_argument("--database", default="")
    args = parser.parse_args()

    with ThrowawayDatabase(args.database, "polis_bench"):
        from django.db import connection
        from django.test import Client

        from polis.coverage.models import Policy, Relation
        from polis.testing import factories as f

        program = f.ProgramFactory()
        for _ in range(15):
            f.ProgramClinicFactory(program=program)
        f.ProgramLimitFactory(program=program)
        user = f.UserFactory(email="bench@example.ru", phone="+79990000000")
        me = f.InsuredPersonFactory(user=user)
        own = f.PolicyFactory(insured=me, program=program)
        for _ in range(args.relatives):
            f.PolicyFactory(insured=f.InsuredPersonFactory(), holder=me, relation=Relation.CHILD, program=program)

        client = Client()
        client.force_login(user)

        def measure(url: str, runs: int) -> tuple[list[float], int]:
            client.get(url)  # warm caches and templates
            queries: list[str] = []
            # An execute wrapper, not CaptureQueriesContext: each request resets the query log.
            with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
                assert client.get(url).status_code == 200
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            return timings, len(queries)

        vendor = connection.vendor
        print(f"database={vendor} python={sys.version.split()[0]} policies={Policy.objects.count()}")
        for name, url, runs in (
            ("dashboard", "/my/", args.runs),
            ("policy page", f"/my/policies/{own.pk}/", args.runs),
            ("policy PDF", f"/my/policies/{own.pk}/policy.pdf", args.pdf_runs),
            ("memo PDF", f"/my/policies/{own.pk}/memo.pdf", args.pdf_runs),
        ):
            timings, queries = measure(url, runs)
            print(
                f"{name:12} runs={runs:4} queries={queries:3} "
                f"p50={statistics.median(timings):7.1f} ms  p95={percentile(timings, 95):7.1f} ms  "
                f"max={max(timings):7.1f} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
