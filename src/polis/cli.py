"""`./polis <command>`: what the README's first two commands run.

demo [--port N] [--host H] [--fresh]   migrate, load demo data, serve the web and the worker
test [pytest arguments]                 run the test suite (DATABASE_URL picks the database)
manage <arguments>                      any Django management command
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable


def check_system_libraries() -> bool:
    """WeasyPrint needs Pango; without it every PDF fails. Say what to install, not a traceback."""
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        print(
            "Не найдена системная библиотека для PDF (Pango): "
            f"{error}.\nУстановите её и повторите:\n"
            "  Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core\n"
            "  Fedora:        sudo dnf install pango dejavu-sans-fonts\n"
            "  macOS:         brew install pango",
            file=sys.stderr,
        )
        return False
    return True


def manage(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([PYTHON, str(PROJECT_DIR / "manage.py"), *args], check=True, env=env, cwd=PROJECT_DIR)


def demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="./polis demo", description="Демо Polis со всеми ролями.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--fresh", action="store_true", help="стереть демо-базу и создать заново")
    parser.add_argument("--workers", type=int, default=2, help="процессов веб-сервера")
    args = parser.parse_args(argv)
    if not check_system_libraries():
        return 1

    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "polis.settings")
    env.setdefault("DEBUG", "1")
    env.setdefault("ALLOWED_HOSTS", f"{args.host},127.0.0.1,localhost")
    env["POLIS_SITE_URL"] = f"http://{args.host}:{args.port}"

    if args.fresh and "DATABASE_URL" not in env:
        db = PROJECT_DIR / "var" / "polis.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)

    print("Готовлю базу данных…", flush=True)
    manage("migrate", "--no-input", "-v", "0", env=env)
    manage("demo_data", "--no-logins", env=env)
    manage("collectstatic", "--no-input", "-v", "0", env=env)

    web = subprocess.Popen(
        [
            PYTHON, "-m", "gunicorn", "polis.wsgi:application",
            "--bind", f"{args.host}:{args.port}",
            "--workers", str(args.workers), "--threads", "4",
            "--access-logfile", "-", "--log-level", "warning",
        ],
        cwd=PROJECT_DIR, env=env,
    )  # fmt: skip
    worker = subprocess.Popen([PYTHON, "manage.py", "db_worker"], cwd=PROJECT_DIR, env=env)
    print(f"\nPolis работает: http://{args.host}:{args.port}/  (API: /api/v1/docs, Ctrl+C — остановить)\n")
    manage("demo_data", "--logins-only", env=env)

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        for name, proc in (("веб-сервер", web), ("обработчик задач", worker)):
            if proc.poll() is not None:
                print(f"{name} остановился (код {proc.returncode})", file=sys.stderr)
                stopping, code = True, proc.returncode or 1
        time.sleep(0.5)
    for proc in (web, worker):
        if proc.poll() is None:
            proc.terminate()
    for proc in (web, worker):
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return code


def test(argv: list[str]) -> int:
    if not check_system_libraries():
        return 1
    # The test settings (tasks run at once, cheap hashing) whatever the shell has set;
    # DATABASE_URL still picks SQLite or PostgreSQL.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "polis.settings_test"}
    result = subprocess.run([PYTHON, "-m", "pytest", *argv], cwd=PROJECT_DIR, env=env)
    return result.returncode


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = sys.argv[1], sys.argv[2:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "polis.settings")
    if command == "demo":
        return demo(rest)
    if command == "test":
        return test(rest)
    if command == "bench":
        if not rest:
            names = sorted(p.stem for p in (PROJECT_DIR / "bench").glob("*.py"))
            print("Бенчмарки: " + ", ".join(names))
            return 0
        script = PROJECT_DIR / "bench" / f"{rest[0]}.py"
        if not script.exists():
            print(f"Нет бенчмарка {rest[0]} (bench/{rest[0]}.py)", file=sys.stderr)
            return 2
        return subprocess.run([PYTHON, str(script), *rest[1:]], cwd=PROJECT_DIR).returncode
    if command == "manage":
        return subprocess.run([PYTHON, str(PROJECT_DIR / "manage.py"), *rest], cwd=PROJECT_DIR).returncode
    print(f"Неизвестная команда: {command}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
