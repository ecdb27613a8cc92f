"""The electronic DMS policy and the memo («памятка») as PDF, rendered by WeasyPrint from Django
templates. Both are self-contained: styles live in the templates and nothing is fetched, so a
field that happens to hold a URL can never make the renderer reach out."""

import re
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from polis import clock
from polis.coverage.models import Policy
from polis.coverage.selectors import policy_overview


def render_policy_pdf(*, policy: Policy) -> bytes:
    """The electronic policy, accepted by clinics like the plastic card. The caller has checked
    that whoever asked may see this policy."""
    overview = policy_overview(policy=policy)
    return render_pdf("coverage/pdf/policy.html", {"o": overview, "printed_on": clock.today()})


def render_memo_pdf(*, policy: Policy) -> bytes:
    """The memo: the program, its limits and co-pay, the clinics by kind of care, whom to call."""
    overview = policy_overview(policy=policy)
    return render_pdf("coverage/pdf/memo.html", {"o": overview, "printed_on": clock.today()})


def policy_pdf_filename(policy: Policy) -> tuple[str, str]:
    """(ASCII name, name as a person reads it) for the policy's PDF."""
    return f"polis-{ascii_name(policy.number)}.pdf", f"Полис ДМС {policy.number}.pdf"


def memo_pdf_filename(policy: Policy) -> tuple[str, str]:
    return f"pamyatka-{ascii_name(policy.number)}.pdf", f"Памятка {policy.number}.pdf"


def pdf_attachment(content: bytes, *, filename: str, display_name: str) -> HttpResponse:
    """A download: `filename` for old clients, `display_name` (RFC 5987) for everyone else."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(display_name, safe='')}"
    )
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "private, no-store"
    return response


def ascii_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "policy"


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"PDF templates fetch nothing, asked for {url!r}")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    # Imported here: WeasyPrint loads Pango on import, which only PDF work should pay for
    # (and a machine without Pango still starts the site).
    from weasyprint import HTML

    html = render_to_string(template, {"insurer_name": settings.POLIS_INSURER_NAME, **context})
    pdf = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return pdf
