from django.urls import path

from polis.coverage import hr_views

app_name = "hr"
urlpatterns = [
    path("", hr_views.people, name="people"),
    path("people/<int:pk>/", hr_views.person, name="person"),
    path("people/<int:pk>/policy.pdf", hr_views.policy_pdf, name="policy_pdf"),
    path("contracts/<int:pk>/", hr_views.contract, name="contract"),
]
