"""Two consoles, two lists: the root URLconf mounts them as

path("my/disputes/", include((dispute_urls.insured_patterns, "disputes"))),
path("backoffice/disputes/", include((dispute_urls.backoffice_patterns, "disputes_backoffice"))),
"""

from django.urls import path

from polis.billing.disputes import views

insured_patterns = [
    path("", views.dispute_list, name="list"),
    path("new/<int:line_id>/", views.dispute_new, name="new"),
    path("<int:pk>/", views.dispute_detail, name="detail"),
    path("files/<int:file_id>/", views.dispute_file, name="file"),
]

backoffice_patterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.review, name="review"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/uphold/", views.uphold, name="uphold"),
    path("files/<int:file_id>/", views.dispute_file, name="file"),
]
