"""The clinic clerk's activation notices: the own clinic's only, the due date with the overdue
ones marked, and a confirmation that counts once."""

import datetime as dt

import pytest
from django.urls import reverse

from polis.accounts.models import User
from polis.billing.models import ClinicNotice, FranchiseActivation
from polis.conftest import aware
from polis.coverage.models import FranchiseActivation as Method
from polis.coverage.models import Policy, ServiceMode
from polis.testing import factories as f

pytestmark = pytest.mark.django_db
LIST = reverse("clinic:franchise_notices")


def notice_for(policy: Policy, clinic, *, due_on: dt.date, sent_on: dt.date = dt.date(2026, 11, 16)) -> ClinicNotice:
    policy.service_mode, policy.registry_clinic = ServiceMode.REGISTRY, clinic
    policy.save()
    holder = policy.insured.user or policy.holder.user
    activation = FranchiseActivation.objects.create(
        policy=policy,
        method=Method.DEPOSIT,
        requested_by=holder,
        requested_at=aware(sent_on),
        effective_at=aware(sent_on + dt.timedelta(days=3), hour=0),
    )
    return ClinicNotice.objects.create(activation=activation, clinic=clinic, sent_at=aware(sent_on), due_on=due_on)


@pytest.fixture
def son_policy(alice: User) -> Policy:
    return Policy.objects.get(number="001-0000002")


def test_the_clerk_sees_who_was_activated_and_which_notices_are_overdue(client, clinic_user, alice_policy, son_policy):
    notice_for(alice_policy, clinic_user.clinic, due_on=dt.date(2026, 11, 23))
    notice_for(son_policy, clinic_user.clinic, due_on=dt.date(2026, 11, 19))
    client.force_login(clinic_user)

    page = client.get(LIST).content.decode()

    assert "Смирнова Ирина Петровна" in page and "12.04.1988" in page and "001-0000001" in page
    assert "Смирнова Артём Андреевич" in page and "01.06.2015" in page
    assert "Поликлиника + стоматология" in page
    assert "23.11.2026" in page
    # Only the son's notice is past its date (today is 20.11.2026).
    assert page.count('data-testid="overdue"') == 1
    assert '<strong class="error" data-testid="overdue">19.11.2026</strong>' in page
    assert "Ожидают подтверждения: <strong>2</strong>" in page


def test_another_clinics_notices_are_neither_listed_nor_confirmable(client, clinic_user, alice_policy):
    elsewhere = notice_for(alice_policy, f.ClinicFactory(name="Чужая клиника"), due_on=dt.date(2026, 11, 23))
    client.force_login(clinic_user)

    assert "001-0000001" not in client.get(LIST).content.decode()
    response = client.post(reverse("clinic:franchise_notice_confirm", args=[elsewhere.pk]))

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.confirmed_at is None


def test_confirming_twice_keeps_the_first_confirmation_and_says_it_was_done(
    client, clinic_user, alice_policy, frozen_now
):
    notice = notice_for(alice_policy, clinic_user.clinic, due_on=dt.date(2026, 11, 23))
    client.force_login(clinic_user)
    url = reverse("clinic:franchise_notice_confirm", args=[notice.pk])

    first = client.post(url, follow=True)
    assert "Активация франшизы подтверждена: Смирнова Ирина Петровна." in first.content.decode()
    notice.refresh_from_db()
    confirmed_at = notice.confirmed_at
    assert (confirmed_at, notice.confirmed_by) == (frozen_now.return_value, clinic_user)

    frozen_now.return_value += dt.timedelta(hours=1)
    second = client.post(url, follow=True).content.decode()
    assert "уже подтверждена 20.11.2026 12:00" in second
    notice.refresh_from_db()
    assert notice.confirmed_at == confirmed_at
    assert "Ожидают подтверждения: <strong>0</strong>" in second


def test_the_confirmation_is_a_post_only(client, clinic_user, alice_policy):
    notice = notice_for(alice_policy, clinic_user.clinic, due_on=dt.date(2026, 11, 23))
    client.force_login(clinic_user)
    assert client.get(reverse("clinic:franchise_notice_confirm", args=[notice.pk])).status_code == 405


def test_other_roles_may_not_open_the_page(client, alice, desk_user):
    client.force_login(alice)
    assert client.get(LIST).status_code == 403
    client.force_login(desk_user)
    assert client.get(LIST).status_code == 403
    client.logout()
    assert client.get(LIST)["Location"].startswith(reverse("accounts:login"))


def test_the_clinic_console_links_to_the_notices(client, clinic_user):
    client.force_login(clinic_user)
    assert LIST in client.get(reverse("clinic:home")).content.decode()
    assert "Писем об активации франшизы пока не было." in client.get(LIST).content.decode()
