from django.urls import path

from projects import views

app_name = "projects"
urlpatterns = [
    path("projects/", views.index, name="index"),
    path("projects/calls/new/", views.call_new, name="call_new"),
    path("projects/calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("projects/calls/<int:pk>/propose/", views.proposal_new, name="proposal_new"),
    path("projects/calls/<int:pk>/agenda/", views.call_agenda, name="call_agenda"),
    path("projects/calls/<int:pk>/overview/", views.overview, name="overview"),
    path("projects/calls/<int:pk>/ledger.xlsx", views.ledger, name="ledger"),
    path("projects/calls/<int:pk>/approval.pdf", views.approval_notice, name="approval_notice"),
    path("projects/proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("projects/proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("projects/proposals/<int:pk>/budget/", views.budget_line_add, name="budget_line_add"),
    path("projects/proposals/<int:pk>/submit/", views.proposal_submit, name="proposal_submit"),
    path("projects/proposals/<int:pk>/return/", views.proposal_return, name="proposal_return"),
    path("projects/proposals/<int:pk>/experts/", views.experts_assign, name="experts_assign"),
    path("projects/proposals/<int:pk>/review/close/", views.review_close, name="review_close"),
    path(
        "projects/proposals/<int:pk>/recommend/",
        views.proposal_recommend,
        name="proposal_recommend",
    ),
    path("projects/proposals/<int:pk>/reject/", views.proposal_reject, name="proposal_reject"),
    path("projects/proposals/<int:pk>/funding/", views.allocation_add, name="allocation_add"),
    path("projects/proposals/<int:pk>/tender/", views.tender_record, name="tender_record"),
    path(
        "projects/proposals/<int:pk>/acceptance/",
        views.acceptance_record,
        name="acceptance_record",
    ),
    path("projects/proposals/<int:pk>/go-live/", views.go_live, name="go_live"),
    path("projects/proposals/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("projects/milestones/<int:pk>/report/", views.progress_report, name="progress_report"),
    path("projects/reviews/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("projects/reviews/<int:pk>/declare/", views.assignment_declare, name="assignment_declare"),
    path("projects/reviews/<int:pk>/submit/", views.assignment_submit, name="assignment_submit"),
]
