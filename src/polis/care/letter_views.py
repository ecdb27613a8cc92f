from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from polis.accounts.permissions import viewer
from polis.care import letters
from polis.coverage.pdf import pdf_attachment


@login_required
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    letter = letters.letter_for(viewer=viewer(request), pk=pk)
    filename, display_name = letters.letter_pdf_filename(letter)
    return pdf_attachment(letters.render_letter_pdf(letter=letter), filename=filename, display_name=display_name)


@login_required
def attachment_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = letters.attachment_for(viewer=viewer(request), pk=pk)
    filename, display_name = letters.attachment_pdf_filename(attachment)
    return pdf_attachment(
        letters.render_attachment_pdf(attachment=attachment), filename=filename, display_name=display_name
    )
