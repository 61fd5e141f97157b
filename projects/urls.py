from django.urls import path

from projects import views

app_name = "projects"
urlpatterns = [
    path("projects/", views.index, name="index"),
    path("projects/calls/new/", views.call_new, name="call_new"),
    path("projects/calls/<id:pk>/", views.call_detail, name="call_detail"),
    path("projects/calls/<id:pk>/propose/", views.proposal_new, name="proposal_new"),
    path("projects/calls/<id:pk>/agenda/", views.call_agenda, name="call_agenda"),
    path("projects/calls/<id:pk>/overview/", views.overview, name="overview"),
    path("projects/calls/<id:pk>/ledger.xlsx", views.ledger, name="ledger"),
    path("projects/calls/<id:pk>/approval.pdf", views.approval_notice, name="approval_notice"),
    path("projects/proposals/<id:pk>/", views.proposal_detail, name="proposal_detail"),
    path("projects/proposals/<id:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("projects/proposals/<id:pk>/budget/", views.budget_line_add, name="budget_line_add"),
    path("projects/proposals/<id:pk>/submit/", views.proposal_submit, name="proposal_submit"),
    path("projects/proposals/<id:pk>/return/", views.proposal_return, name="proposal_return"),
    path("projects/proposals/<id:pk>/experts/", views.experts_assign, name="experts_assign"),
    path("projects/proposals/<id:pk>/review/close/", views.review_close, name="review_close"),
    path(
        "projects/proposals/<id:pk>/recommend/",
        views.proposal_recommend,
        name="proposal_recommend",
    ),
    path("projects/proposals/<id:pk>/reject/", views.proposal_reject, name="proposal_reject"),
    path("projects/proposals/<id:pk>/funding/", views.allocation_add, name="allocation_add"),
    path("projects/proposals/<id:pk>/tender/", views.tender_record, name="tender_record"),
    path(
        "projects/proposals/<id:pk>/acceptance/",
        views.acceptance_record,
        name="acceptance_record",
    ),
    path("projects/proposals/<id:pk>/go-live/", views.go_live, name="go_live"),
    path("projects/proposals/<id:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("projects/milestones/<id:pk>/report/", views.progress_report, name="progress_report"),
    path("projects/reviews/<id:pk>/", views.assignment_detail, name="assignment_detail"),
    path("projects/reviews/<id:pk>/declare/", views.assignment_declare, name="assignment_declare"),
    path("projects/reviews/<id:pk>/submit/", views.assignment_submit, name="assignment_submit"),
]
