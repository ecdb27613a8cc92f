from django.urls import path

from polis.coverage import views

app_name = "coverage"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("policies/<int:policy_id>/", views.policy_detail, name="policy"),
    path("policies/<int:policy_id>/policy.pdf", views.policy_pdf, name="policy_pdf"),
    path("policies/<int:policy_id>/memo.pdf", views.memo_pdf, name="memo_pdf"),
]
