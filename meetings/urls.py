from django.urls import path

from meetings import views, views_votes
from meetings.minutes import views as minutes

app_name = "meetings"
urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/convene/", views.meeting_convene, name="meeting_convene"),
    path("meetings/<int:pk>/postpone/", views.meeting_postpone, name="meeting_postpone"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/agenda/add/", views.agenda_add, name="agenda_add"),
    path("meetings/<int:pk>/attendees/invite/", views.attendee_invite, name="attendee_invite"),
    path("meetings/<int:pk>/check-in/open/", views.check_in_open, name="check_in_open"),
    path("meetings/<int:pk>/check-in/close/", views.check_in_close, name="check_in_close"),
    path("meetings/<int:pk>/check-in/screen/", views.room_screen, name="room_screen"),
    path("check-in/<str:code>/", views.check_in_scan, name="check_in_scan"),
    path("meetings/<int:pk>/open/", views.meeting_open, name="meeting_open"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting_close"),
    path("meetings/<int:pk>/quorum/", views.quorum_panel, name="quorum_panel"),
    path("meetings/<int:pk>/members/", views.meeting_members, name="meeting_members"),
    path("meetings/<int:pk>/invite.ics", views.meeting_invite, name="meeting_invite"),
    path("attendance/<int:member_pk>/answer/", views.attendance_answer, name="attendance_answer"),
    path(
        "attendance/<int:member_pk>/check-in/",
        views.attendance_check_in,
        name="attendance_check_in",
    ),
    path("attendance/<int:member_pk>/undo/", views.attendance_undo, name="attendance_undo"),
    path("items/<int:pk>/edit/", views.agenda_edit, name="agenda_edit"),
    path("items/<int:pk>/move/", views.agenda_move, name="agenda_move"),
    path("items/<int:pk>/remove/", views.agenda_remove, name="agenda_remove"),
    path("materials/<int:pk>/remove/", views.material_remove, name="material_remove"),
    path("attendees/<int:pk>/remove/", views.attendee_remove, name="attendee_remove"),
    path("items/<int:pk>/materials/", views.material_upload, name="material_upload"),
    path("materials/<int:pk>/", views.material_download, name="material_download"),
    path("items/<int:pk>/motions/add/", views.motion_add, name="motion_add"),
    path("items/<int:pk>/decision/", views.decision_record, name="decision_record"),
    path("motions/<int:pk>/", views_votes.motion_detail, name="motion_detail"),
    # The vote endpoint's contract (load-tested): POST choice=yes|no|abstain; 302 / 409 / 404.
    path("motions/<int:pk>/vote/", views_votes.cast_vote, name="cast_vote"),
    path("motions/<int:pk>/open/", views_votes.motion_open, name="motion_open"),
    path("motions/<int:pk>/close/", views_votes.motion_close, name="motion_close"),
    path("motions/<int:pk>/hands/", views_votes.show_of_hands, name="show_of_hands"),
    path("motions/<int:pk>/defer/", views_votes.motion_defer, name="motion_defer"),
    path("notifications/", views.notification_list, name="notification_list"),
    # Minutes (Art. 15-16)
    path("minutes/<int:pk>/", minutes.minutes_detail, name="minutes_detail"),
    path("minutes/<int:pk>/edit/", minutes.minutes_edit, name="minutes_edit"),
    path("minutes/<int:pk>/submit/", minutes.minutes_submit, name="minutes_submit"),
    path("minutes/<int:pk>/withdraw/", minutes.minutes_withdraw, name="minutes_withdraw"),
    path("minutes/<int:pk>/return/", minutes.minutes_return, name="minutes_return"),
    path("minutes/<int:pk>/sign/", minutes.minutes_sign, name="minutes_sign"),
    path("minutes/<int:pk>/progress/", minutes.minutes_progress, name="minutes_progress"),
    path("minutes/<int:pk>/preview.pdf", minutes.minutes_preview, name="minutes_preview"),
    path("issued/<int:pk>/", minutes.issued_detail, name="issued_detail"),
    path("issued/<int:pk>/pdf/", minutes.issued_pdf, name="issued_pdf"),
    path("issued/<int:pk>/correct/", minutes.issued_correct, name="issued_correct"),
    # Public: the address printed (and QR-coded) on every issued PDF; no sign-in.
    path("verify/", minutes.verify, name="verify"),
]
