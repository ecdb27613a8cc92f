"""Daily debt work: tasks only load their arguments and call a service."""

from django_tasks import task

from polis.billing.debts import services


@task()
def send_debt_reminders() -> int:
    """Remind payers of invoices due in 3 days, due today, or 1, 7 and 30 days overdue."""
    return services.debt_reminders_send()


@task()
def send_debt_reports() -> int:
    """From the first working day of a month: each contract's debt report for the last month."""
    return services.debt_reports_send()
