"""The role gate every console stands behind: anonymous → login, wrong role → 403."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from polis.accounts.models import Role
from polis.accounts.permissions import role_required
from polis.testing import factories as f


@role_required(Role.HR, Role.DESK)
def staff_only(request):
    return HttpResponse("inside")


def request_as(user):
    request = RequestFactory().get("/hr/?q=Смирнова")
    request.user = user
    return request


def test_an_anonymous_visitor_is_sent_to_login_and_back(db):
    response = staff_only(request_as(AnonymousUser()))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/hr/" in response["Location"]


@pytest.mark.parametrize("role", [Role.INSURED, Role.BACKOFFICE])
def test_a_person_of_another_role_is_refused(db, role):
    with pytest.raises(PermissionDenied):
        staff_only(request_as(f.UserFactory(role=role)))


def test_a_superuser_of_another_role_is_refused_too(db):
    # The consoles are scoped by role; being staff in the admin does not open them.
    with pytest.raises(PermissionDenied):
        staff_only(request_as(f.UserFactory(role=Role.BACKOFFICE, is_staff=True, is_superuser=True)))


@pytest.mark.parametrize("role", [Role.HR, Role.DESK])
def test_each_allowed_role_gets_in(db, role):
    assert staff_only(request_as(f.UserFactory(role=role))).content == b"inside"


def test_the_wrapped_view_keeps_its_name():
    assert staff_only.__name__ == "staff_only"
