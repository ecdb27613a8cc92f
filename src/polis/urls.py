from django.contrib import admin
from django.urls import include, path

from polis import views
from polis.api.api import api

admin.site.site_header = "Polis — бэк-офис"
admin.site.site_title = "Polis"
admin.site.index_title = "Управление ДМС"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("polis.accounts.urls")),
    path("my/clinics/", include("polis.network.directory_urls")),
    path("my/bookings/", include("polis.network.booking_urls")),
    path("my/franchise/", include("polis.billing.urls")),
    path("my/", include("polis.coverage.urls")),
    path("jobs/", include("polis.jobs.urls")),
    path("backoffice/network/", include("polis.network.import_urls")),
    path("hr/", include("polis.coverage.hr_urls")),
    path("desk/", include("polis.care.urls")),
    path("clinic/", include("polis.network.urls")),
    path("notifications/", include("polis.notify.urls")),
    path("payments/", include("polis.payments.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
