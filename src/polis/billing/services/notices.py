"""A clinic confirms it has processed an activation notice."""

from django.http import Http404
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import User
from polis.billing.models import ClinicNotice
from polis.billing.selectors import clinic_notices_for_clerk


def clinic_notice_confirm(*, clerk: User, notice_id: int) -> ClinicNotice:
    """Mark a notice to the clerk's own clinic processed. Another clinic's notice is not found;
    a second confirmation keeps the first one's time and clerk (conditional UPDATE)."""
    notice = clinic_notices_for_clerk(clerk=clerk).filter(pk=notice_id).first()
    if notice is None:
        raise Http404(_("Письмо не найдено"))
    ClinicNotice.objects.filter(pk=notice.pk, confirmed_at__isnull=True).update(
        confirmed_at=clock.now(), confirmed_by=clerk
    )
    notice.refresh_from_db()
    return notice
