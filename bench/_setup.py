"""What every benchmark shares: a throwaway database (a SQLite file in a temporary folder, or its
own PostgreSQL database created and dropped), Django set up on it, and percentiles."""

import os
import shutil
import tempfile
from pathlib import Path


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class ThrowawayDatabase:
    """`with ThrowawayDatabase(url, name):` — Django is set up and migrated inside."""

    def __init__(self, database_url: str, name: str, tasks: str = "immediate", keep: bool = False) -> None:
        self.url = database_url
        self.name = name
        self.tasks = tasks
        self.keep = keep
        self.server = ""
        self.tmp = ""

    def __enter__(self) -> "ThrowawayDatabase":
        tmp = self.tmp = tempfile.mkdtemp(prefix="polis-bench-")
        if self.url.startswith("postgres"):
            self.server = self.url.rpartition("/")[0]
            self._admin(f"DROP DATABASE IF EXISTS {self.name}", f"CREATE DATABASE {self.name}")
            os.environ["DATABASE_URL"] = f"{self.server}/{self.name}"
        else:
            os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "polis.settings")
        os.environ["POLIS_VAR_DIR"] = tmp
        os.environ["ALLOWED_HOSTS"] = "testserver"
        os.environ["TASKS_BACKEND"] = self.tasks
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.keep:  # the SQLite file and uploaded files (a registry's copy: ~150 MB)
            shutil.rmtree(self.tmp, ignore_errors=True)
        if self.server and not self.keep:
            from django.db import connections

            connections.close_all()
            self._admin(f"DROP DATABASE IF EXISTS {self.name}")

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)
