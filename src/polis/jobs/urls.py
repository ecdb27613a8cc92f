from django.urls import path

from polis.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<int:job_id>/", views.detail, name="detail"),
    path("<int:job_id>/progress/", views.progress, name="progress"),
    path("<int:job_id>/problems.csv", views.problems_csv, name="problems_csv"),
    path("<int:job_id>/problems.xlsx", views.problems_xlsx, name="problems_xlsx"),
]
