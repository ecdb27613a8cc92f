"""Filters every template has (registered as builtins): money and phones as people read them."""

from django import template

from polis.money import format_rub
from polis.phone import format_phone

register = template.Library()


@register.filter
def rub(kopecks: int | None) -> str:
    """{{ 123456|rub }} → 1 234,56 ₽"""
    if kopecks is None:
        return "—"
    return format_rub(kopecks)


@register.filter
def phone(value: str | None) -> str:
    return format_phone(value) if value else ""
