"""Tax numbers that pass the real check digits, so that demo data survives validation that
later issues add (a clinic registry's header names the clinic by INN/KPP)."""

import random

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def organization_inn(rng: random.Random, region: str) -> str:
    """10 digits: region (77 Moscow, 78 St. Petersburg), tax office, number, check digit."""
    body = f"{region}{rng.randint(1, 36):02d}{rng.randint(0, 99_999):05d}"
    return body + _check_digit(body, _INN10_WEIGHTS)


def person_inn(rng: random.Random, region: str) -> str:
    body = f"{region}{rng.randint(1, 36):02d}{rng.randint(0, 999_999):06d}"
    body += _check_digit(body, _INN12_WEIGHTS_11)
    return body + _check_digit(body, _INN12_WEIGHTS_12)


def kpp_for(inn: str) -> str:
    """Tax office (the INN's first four digits), reason 01 (the head office), number 001."""
    return f"{inn[:4]}01001"


def is_valid_inn(inn: str) -> bool:
    if not inn.isdigit():
        return False
    if len(inn) == 10:
        return inn[9] == _check_digit(inn[:9], _INN10_WEIGHTS)
    if len(inn) == 12:
        return inn[10] == _check_digit(inn[:10], _INN12_WEIGHTS_11) and inn[11] == _check_digit(
            inn[:11], _INN12_WEIGHTS_12
        )
    return False
