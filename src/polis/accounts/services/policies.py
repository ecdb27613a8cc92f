"""A registered person adds a further policy (a renewal, another contract) by its number."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from polis.accounts.models import Role, User
from polis.accounts.selectors import personal_data_withdrawn
from polis.accounts.services.errors import PolicyAttachError
from polis.coverage.matching import find_policy_of
from polis.coverage.models import InsuredPerson, Policy

NOT_FOUND = gettext_lazy(
    "Полис не найден или оформлен не на вас: номер должен принадлежать полису на ваши ФИО и дату рождения. "
    "Проверьте номер или обратитесь к администратору договора."
)


def policy_attach(*, user: User, number: str) -> Policy:
    """Link the insured record of a policy to this account, provided the policy is in the
    person's own name and birth date (taken from the records already linked to the account).

    A policy of another account gets the same refusal as no policy at all: the answer must not
    tell that someone else's policy with this number exists. Adding one's own policy again is
    harmless.
    """
    if user.role != Role.INSURED:
        raise PolicyAttachError(_("Добавлять полисы может только застрахованный."))
    if not (number or "").strip():
        raise PolicyAttachError(_("Укажите номер полиса."))
    if personal_data_withdrawn(viewer=user):
        raise PolicyAttachError(
            _("Вы отозвали согласие на обработку персональных данных, поэтому добавить полис нельзя.")
        )
    identities = [(p.name_key, p.birth_date) for p in InsuredPerson.objects.filter(user=user)]
    policy = find_policy_of(identities=identities, number=number)
    if policy is None:
        raise PolicyAttachError(NOT_FOUND)
    with transaction.atomic():
        insured = InsuredPerson.objects.select_for_update().get(pk=policy.insured_id)
        if insured.user_id == user.pk:
            return policy
        if insured.user_id is not None or not InsuredPerson.objects.filter(pk=insured.pk, user=None).update(user=user):
            raise PolicyAttachError(NOT_FOUND)
    policy.insured.user = user
    return policy
