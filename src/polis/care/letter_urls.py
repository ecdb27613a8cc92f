"""Letters as PDF, for whoever may read them (care.letters decides): /letters/…"""

from django.urls import path

from polis.care import letter_views

app_name = "letters"

urlpatterns = [
    path("<int:pk>.pdf", letter_views.letter_pdf, name="letter_pdf"),
    path("attachments/<int:pk>.pdf", letter_views.attachment_pdf, name="attachment_pdf"),
]
