"""The logins block `./polis demo` prints: who can log in with what, and whom to register as.
It reads the database, so it shows what exists (after a reset, after someone registered)."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from polis.accounts.models import Role, User
from polis.coverage.models import Policy
from polis.demo.franchise import franchise_logins
from polis.demo.insured import ARTEM, EKATERINA, OLGA
from polis.demo.users import DEMO_PASSWORD, LOGINS, LoginSeed
from polis.phone import format_phone

# Insured people without an account, each on another kind of contract.
REGISTRATION_EXAMPLES = (ARTEM, OLGA, EKATERINA)


def render_logins() -> str:
    users = {u.email: u for u in User.objects.filter(email__in=[s.email for s in LOGINS])}
    if not users:
        return "Демо-данные не загружены: выполните «manage.py demo_data» (или «./polis demo»)."
    rows = []
    for seed in LOGINS:
        user = users.get(seed.email)
        if user is None:
            continue
        logins = [user.email] + ([format_phone(user.phone)] if user.phone else [])
        where = f"{_url(seed)}\n{seed.what}"
        if seed.role == Role.INSURED:
            where += f"\nКлиники и онлайн-запись: {_clinics_url()}"
        rows.append([seed.label, "\n".join(logins), DEMO_PASSWORD, where])
    parts = [
        "Демо-входы (пароль у всех один):",
        _table(["Роль", "Логин: e-mail или телефон", "Пароль", "Что открыть"], rows),
    ]
    if registration := _registration_block():
        parts.append(registration)
    title, headings, rows = franchise_logins()
    if rows:
        parts.append(f"{title}\n{_table(headings, rows)}")
    return "\n\n".join(parts) + "\n"


def _site(path: str) -> str:
    return settings.POLIS_SITE_URL.rstrip("/") + path


def _reverse_first(*names: str) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def _url(seed: LoginSeed) -> str:
    return _site(_reverse_first(seed.url_name) or seed.fallback_path)


def _clinics_url() -> str:
    return _site(_reverse_first("clinics:list", "clinics:index", "clinics:directory") or "/my/clinics/")


def _registration_block() -> str:
    policies = (
        Policy.objects.filter(number__in=REGISTRATION_EXAMPLES, insured__user__isnull=True)
        .select_related("insured")
        .order_by("number")
    )
    rows = [
        [
            p.insured.last_name,
            p.insured.first_name,
            p.insured.patronymic,
            p.insured.birth_date.strftime("%d.%m.%Y"),
            p.number + (f"\nили табельный {p.personnel_number}" if p.personnel_number else ""),
        ]
        for p in policies
    ]
    if not rows:
        return ""
    if path := _reverse_first("accounts:register", "accounts:registration", "accounts:signup"):
        where = _site(path)
    else:
        where = _site(_reverse_first("accounts:login") or "/accounts/login/") + " → «Регистрация»"
    return "\n".join(
        [
            f"Попробуйте зарегистрироваться сами: {where}",
            _table(["Фамилия", "Имя", "Отчество", "Дата рождения", "Номер полиса"], rows),
            "",
            "Телефон (мобильный), e-mail и пароль — любые, ещё не занятые в демо.",
            "SMS-код печатает обработчик задач в своей консоли; он же виден в админке:",
            f"«Исходящие сообщения» — {_site('/admin/notify/outboundmessage/')}",
        ]
    )


def _table(headings: list[str], rows: list[list[str]]) -> str:
    """A plain-text table; a cell may hold several lines."""
    split_rows = [[cell.split("\n") for cell in row] for row in rows]
    widths = [max([len(h)] + [len(line) for row in split_rows for line in row[i]]) for i, h in enumerate(headings)]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    out = [line(headings), "  ".join("─" * w for w in widths)]
    for row in split_rows:
        height = max(len(cell) for cell in row)
        for i in range(height):
            out.append(line([cell[i] if i < len(cell) else "" for cell in row]))
        out.append("")
    return "\n".join(out).rstrip()
