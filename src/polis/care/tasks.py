"""The desk's background work: tasks only load their arguments and call a service."""

from django_tasks import task

from polis.care.daily import care_daily


@task()
def care_daily_round() -> str:
    """Expire letters past their end, warn about letters ending soon, send attachment letters
    that are due. Safe to run any number of times a day."""
    return str(care_daily())
