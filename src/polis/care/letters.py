"""Who may read a guarantee or attachment letter, written once: the insured person and the holder
of a relative's policy, the clinic it is addressed to, the desk and the back office. Everyone
else gets nothing (a 404 in views). The letters' PDFs, the paper a clinic files, are here too."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from polis import clock
from polis.accounts.models import Role, User
from polis.care.models import AttachmentLetter, AttachmentStatus, GuaranteeLetter, LetterStatus
from polis.coverage.pdf import ascii_name, render_pdf
from polis.coverage.selectors import policies_for_user


def _scope(viewer: User, *, policy: str, clinic: str) -> Q | None:
    """The filter for what `viewer` may read, or None for nothing."""
    if not viewer.is_authenticated or not viewer.is_active:
        return None
    if viewer.role in (Role.DESK, Role.BACKOFFICE):
        return Q()
    if viewer.role == Role.CLINIC:
        return Q(**{clinic: viewer.clinic_id}) if viewer.clinic_id else None
    if viewer.role == Role.INSURED:
        # The person's own policies and their relatives' (coverage's one rule for that).
        return Q(**{f"{policy}_id__in": policies_for_user(user=viewer).values("pk")})
    return None


# A clinic is addressed once a letter is in force: not while a second doctor has yet to approve
# it, nor when it was refused; an attachment letter once it is sent.
_NOT_FOR_CLINIC = (LetterStatus.PENDING_APPROVAL, LetterStatus.REFUSED)


def letters_for(*, viewer: User) -> QuerySet[GuaranteeLetter]:
    scope = _scope(viewer, policy="policy", clinic="clinic_id")
    if scope is None:
        return GuaranteeLetter.objects.none()
    letters = GuaranteeLetter.objects.filter(scope)
    if viewer.role == Role.CLINIC:
        letters = letters.exclude(status__in=_NOT_FOR_CLINIC)
    return letters.select_related(
        "policy__insured", "policy__program", "policy__contract__policyholder", "clinic", "request"
    )


def attachments_for(*, viewer: User) -> QuerySet[AttachmentLetter]:
    scope = _scope(viewer, policy="policy", clinic="clinic_id")
    if scope is None:
        return AttachmentLetter.objects.none()
    attachments = AttachmentLetter.objects.filter(scope)
    if viewer.role == Role.CLINIC:
        attachments = attachments.exclude(status=AttachmentStatus.GENERATED)
    return attachments.select_related("policy__insured", "policy__program", "policy__contract__policyholder", "clinic")


def letter_for(*, viewer: User, pk: int) -> GuaranteeLetter:
    letter = letters_for(viewer=viewer).filter(pk=pk).first()
    if letter is None:
        raise Http404
    return letter


def attachment_for(*, viewer: User, pk: int) -> AttachmentLetter:
    attachment = attachments_for(viewer=viewer).filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return attachment


def render_letter_pdf(*, letter: GuaranteeLetter) -> bytes:
    context: dict[str, Any] = {
        "letter": letter,
        "services": list(letter.services.all()),
        "visit": letter.visits.order_by("starts_at").first(),
        "printed_on": clock.today(),
    }
    return render_pdf("care/pdf/letter.html", context)


def render_attachment_pdf(*, attachment: AttachmentLetter) -> bytes:
    return render_pdf("care/pdf/attachment.html", {"a": attachment, "printed_on": clock.today()})


def letter_pdf_filename(letter: GuaranteeLetter) -> tuple[str, str]:
    return f"garantiynoe-pismo-{ascii_name(letter.number)}.pdf", f"Гарантийное письмо {letter.number}.pdf"


def attachment_pdf_filename(attachment: AttachmentLetter) -> tuple[str, str]:
    return f"pismo-prikreplenie-{ascii_name(attachment.number)}.pdf", f"Письмо на прикрепление {attachment.number}.pdf"
