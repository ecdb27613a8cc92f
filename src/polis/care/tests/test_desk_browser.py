"""The dispatcher's journey in a real browser: the queue, a request taken, a letter issued and a
visit booked on the request's page (htmx swaps the page's part, no reload), then the letter."""
# ruff: noqa: F811 - the desk fixtures are imported from test_desk_world and taken as arguments

import os
import re
from pathlib import Path

import pytest

from polis.care.models import GuaranteeLetter, LetterStatus, RequestStatus, Urgency
from polis.care.tests.test_desk_world import (  # noqa: F401 - fixtures used by name
    dispatcher,
    make_request,
    moscow_clinic,
    piter_clinic,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shot(page, name: str) -> None:
    if folder := os.environ.get("POLIS_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"desk-{name}.png"), full_page=True)


def test_a_dispatcher_takes_a_request_issues_a_letter_and_books_the_visit(
    browser_page, alice_policy, dispatcher, moscow_clinic, piter_clinic
):
    request = make_request(alice_policy, urgency=Urgency.URGENT, clinic=moscow_clinic)
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("#id_login", "desk@example.ru")
    page.fill("#id_password", "Secret-pass-42")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(re.compile(r"/desk/"))

    page.goto("/desk/")
    shot(page, "01-queue")
    page.get_by_role("link", name=f"№ {request.number}").click()
    page.wait_for_url(re.compile(rf"/desk/requests/{request.pk}/$"))
    page.get_by_role("button", name="Взять в работу").click()
    page.get_by_text("Обращение в работе у вас.").wait_for()
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_WORK

    # The marker survives only if htmx swapped a part of the page instead of loading a new one.
    page.evaluate("window.__still_here = true")
    form = page.get_by_test_id("letter-form")
    form.locator("#id_letter-icd10").fill("J06.9")
    form.locator("#id_letter-scope").fill("Приём терапевта, общий анализ крови")
    shot(page, "02-letter-form")
    form.get_by_role("button", name="Выдать письмо").click()
    page.get_by_text(re.compile(r"Письмо № ГП-2026-\d{6} выдано")).wait_for()
    assert page.evaluate("window.__still_here") is True
    letter = GuaranteeLetter.objects.get(request=request)
    assert (letter.status, letter.clinic, letter.icd10) == (LetterStatus.ISSUED, moscow_clinic, "J06.9")

    visit = page.get_by_test_id("visit-form")
    visit.locator("#id_visit-starts_at").fill("2026-11-21T10:00")
    visit.locator("#id_visit-specialist").fill("Терапевт")
    visit.get_by_role("button", name="Записать").click()
    page.get_by_text("Визит записан").wait_for()
    shot(page, "03-booked")
    assert request.visits.get().letter == letter

    page.get_by_role("link", name=f"№ {letter.number}").first.click()
    page.wait_for_url(re.compile(rf"/desk/letters/{letter.pk}/$"))
    assert "Приём терапевта, общий анализ крови" in page.content()
