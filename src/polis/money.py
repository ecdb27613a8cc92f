"""Money is integer kopecks in the database and in code; rubles exist only at the edges.

The one rounding rule: a fractional kopeck is rounded half up (ROUND_HALF_UP), as Russian
accounting does. Everything that turns a Decimal into kopecks goes through `to_kopecks`.
"""

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\xa0"


def to_kopecks(rubles: Decimal | int | str) -> int:
    """Rubles (exact) to kopecks, rounding a fraction of a kopeck half up."""
    value = Decimal(str(rubles)) if not isinstance(rubles, Decimal) else rubles
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_rubles(kopecks: int) -> Decimal:
    return (Decimal(kopecks) / 100).quantize(Decimal("0.01"))


def format_rub(kopecks: int) -> str:
    """1234.56 ₽ as a person reads it: `1 234,56 ₽` (no-break spaces)."""
    sign = "-" if kopecks < 0 else ""
    rub, kop = divmod(abs(int(kopecks)), 100)
    groups = f"{rub:,}".replace(",", NBSP)
    return f"{sign}{groups},{kop:02d}{NBSP}₽"
