from django.contrib import admin
from django.urls import include, path

from polis import views
from polis.api.api import api
from polis.billing.disputes import urls as dispute_urls

admin.site.site_header = "Polis — бэк-офис"
admin.site.site_title = "Polis"
admin.site.index_title = "Управление ДМС"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("polis.accounts.urls")),
    path("my/clinics/", include("polis.network.directory_urls")),
    path("my/bookings/", include("polis.network.booking_urls")),
    path("my/franchise/", include("polis.billing.urls")),
    path("my/disputes/", include((dispute_urls.insured_patterns, "disputes"))),
    path("my/care/", include("polis.care.insured_urls")),
    path("my/", include("polis.billing.invoices.urls")),
    path("my/", include("polis.coverage.urls")),
    path("jobs/", include("polis.jobs.urls")),
    path("letters/", include("polis.care.letter_urls")),
    path("backoffice/network/", include("polis.network.import_urls")),
    path("backoffice/disputes/", include((dispute_urls.backoffice_patterns, "disputes_backoffice"))),
    path("hr/debts/", include("polis.billing.debts.urls")),
    path("hr/", include("polis.coverage.hr_urls")),
    path("desk/", include("polis.care.urls")),
    path("clinic/registries/", include("polis.billing.registries.clinic_urls")),
    path("backoffice/registries/", include("polis.billing.registries.backoffice_urls")),
    path("clinic/letters/", include("polis.care.clinic_urls")),
    path("backoffice/care/", include("polis.care.backoffice_urls")),
    path("clinic/", include("polis.network.urls")),
    path("notifications/", include("polis.notify.urls")),
    path("payments/", include("polis.payments.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
