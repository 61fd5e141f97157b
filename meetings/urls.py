from django.urls import path

from meetings import views, views_agenda, views_attendance, views_calendar, views_votes
from meetings.minutes import views as minutes

app_name = "meetings"
urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<id:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<id:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<id:pk>/convene/", views.meeting_convene, name="meeting_convene"),
    path("meetings/<id:pk>/postpone/", views.meeting_postpone, name="meeting_postpone"),
    path("meetings/<id:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<id:pk>/agenda/add/", views_agenda.agenda_add, name="agenda_add"),
    path(
        "meetings/<id:pk>/attendees/invite/", views_agenda.attendee_invite, name="attendee_invite"
    ),
    path("meetings/<id:pk>/check-in/open/", views_attendance.check_in_open, name="check_in_open"),
    path(
        "meetings/<id:pk>/check-in/close/", views_attendance.check_in_close, name="check_in_close"
    ),
    path("meetings/<id:pk>/check-in/screen/", views_attendance.room_screen, name="room_screen"),
    path("check-in/<str:code>/", views_attendance.check_in_scan, name="check_in_scan"),
    path("meetings/<id:pk>/open/", views.meeting_open, name="meeting_open"),
    path("meetings/<id:pk>/close/", views.meeting_close, name="meeting_close"),
    path("meetings/<id:pk>/quorum/", views.quorum_panel, name="quorum_panel"),
    path("meetings/<id:pk>/members/", views.meeting_members, name="meeting_members"),
    path("meetings/<id:pk>/invite.ics", views.meeting_invite, name="meeting_invite"),
    path("calendar/<str:token>.ics", views_calendar.calendar_feed, name="calendar_feed"),
    path(
        "attendance/<id:member_pk>/answer/",
        views_attendance.attendance_answer,
        name="attendance_answer",
    ),
    path(
        "attendance/<id:member_pk>/check-in/",
        views_attendance.attendance_check_in,
        name="attendance_check_in",
    ),
    path(
        "attendance/<id:member_pk>/undo/", views_attendance.attendance_undo, name="attendance_undo"
    ),
    path("items/<id:pk>/edit/", views_agenda.agenda_edit, name="agenda_edit"),
    path("items/<id:pk>/move/", views_agenda.agenda_move, name="agenda_move"),
    path("items/<id:pk>/remove/", views_agenda.agenda_remove, name="agenda_remove"),
    path("materials/<id:pk>/remove/", views_agenda.material_remove, name="material_remove"),
    path("attendees/<id:pk>/remove/", views_agenda.attendee_remove, name="attendee_remove"),
    path("items/<id:pk>/materials/", views_agenda.material_upload, name="material_upload"),
    path("materials/<id:pk>/", views_agenda.material_download, name="material_download"),
    path("items/<id:pk>/motions/add/", views_agenda.motion_add, name="motion_add"),
    path("items/<id:pk>/decision/", views_agenda.decision_record, name="decision_record"),
    path("motions/<id:pk>/", views_votes.motion_detail, name="motion_detail"),
    # The vote endpoint's contract (load-tested): POST choice=yes|no|abstain; 302 / 409 / 404.
    path("motions/<id:pk>/vote/", views_votes.cast_vote, name="cast_vote"),
    # The confirm step: POST choice; renders the page asking to confirm, changes nothing.
    path("motions/<id:pk>/confirm/", views_votes.vote_confirm, name="vote_confirm"),
    path("motions/<id:pk>/open/", views_votes.motion_open, name="motion_open"),
    # A secret ballot's count by its scrutineers, its paper fallback and its published box.
    path("motions/<id:pk>/count/", views_votes.motion_count, name="motion_count"),
    path(
        "motions/<id:pk>/count/confirm/",
        views_votes.motion_count_confirm,
        name="motion_count_confirm",
    ),
    path("motions/<id:pk>/paper/", views_votes.motion_paper, name="motion_paper"),
    path(
        "motions/<id:pk>/paper/confirm/",
        views_votes.motion_paper_confirm,
        name="motion_paper_confirm",
    ),
    path("motions/<id:pk>/box/", views_votes.ballot_box, name="ballot_box"),
    path("ballot-key/", views_votes.ballot_key, name="ballot_key"),
    path("motions/<id:pk>/close/", views_votes.motion_close, name="motion_close"),
    path("motions/<id:pk>/hands/", views_votes.show_of_hands, name="show_of_hands"),
    path("motions/<id:pk>/defer/", views_votes.motion_defer, name="motion_defer"),
    path("notifications/", views.notification_list, name="notification_list"),
    # Minutes (Art. 15-16)
    path("minutes/<id:pk>/", minutes.minutes_detail, name="minutes_detail"),
    path("minutes/<id:pk>/edit/", minutes.minutes_edit, name="minutes_edit"),
    path("minutes/<id:pk>/submit/", minutes.minutes_submit, name="minutes_submit"),
    path("minutes/<id:pk>/withdraw/", minutes.minutes_withdraw, name="minutes_withdraw"),
    path("minutes/<id:pk>/return/", minutes.minutes_return, name="minutes_return"),
    path("minutes/<id:pk>/sign/", minutes.minutes_sign, name="minutes_sign"),
    path("minutes/<id:pk>/progress/", minutes.minutes_progress, name="minutes_progress"),
    path("minutes/<id:pk>/preview.pdf", minutes.minutes_preview, name="minutes_preview"),
    path("issued/<id:pk>/", minutes.issued_detail, name="issued_detail"),
    path("issued/<id:pk>/pdf/", minutes.issued_pdf, name="issued_pdf"),
    path("issued/<id:pk>/correct/", minutes.issued_correct, name="issued_correct"),
    # Public: the address printed (and QR-coded) on every issued PDF; no sign-in.
    path("verify/", minutes.verify, name="verify"),
]
