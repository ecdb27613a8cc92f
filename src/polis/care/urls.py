from django.urls import path

from polis.care import desk_views, views

app_name = "desk"
urlpatterns = [
    path("", desk_views.queue, name="queue"),
    path("search/", views.search, name="search"),
    path("policies/<int:pk>/", views.policy, name="policy"),
    path("policies/<int:pk>/requests/new/", desk_views.request_new, name="request_new"),
    path("requests/<int:pk>/", desk_views.request_detail, name="request"),
    path("requests/<int:pk>/take/", desk_views.request_take, name="request_take"),
    path("requests/<int:pk>/refuse/", desk_views.request_refuse, name="request_refuse"),
    path("requests/<int:pk>/letters/", desk_views.letter_issue, name="letter_issue"),
    path("requests/<int:pk>/visits/", desk_views.visit_book, name="visit_book"),
    path("requests/<int:pk>/passes/", desk_views.pass_request, name="pass_request"),
    path(
        "requests/<int:pk>/escalations/<int:escalation_id>/answer/",
        desk_views.escalation_answer,
        name="escalation_answer",
    ),
    path("files/<int:file_id>/", desk_views.request_file, name="request_file"),
    path("letters/<int:pk>/", desk_views.letter_detail, name="letter"),
    path("letters/<int:pk>/approve/", desk_views.letter_approve, name="letter_approve"),
    path("letters/<int:pk>/refuse/", desk_views.letter_refuse, name="letter_refuse"),
    path("letters/<int:pk>/extend/", desk_views.letter_extend, name="letter_extend"),
    path("letters/<int:pk>/narrow/", desk_views.letter_narrow, name="letter_narrow"),
    path("letters/<int:pk>/revoke/", desk_views.letter_revoke, name="letter_revoke"),
    path("approvals/", desk_views.approvals, name="approvals"),
    path("escalations/", desk_views.escalations, name="escalations"),
]
