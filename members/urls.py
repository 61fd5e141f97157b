from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("bodies/", views.body_list, name="body_list"),
    path("bodies/<slug:code>/", views.body_detail, name="body_detail"),
    path("bodies/<slug:code>/seats/add/", views.seat_add, name="seat_add"),
    path("seats/<id:seat_id>/fill/", views.seat_fill, name="seat_fill"),
    path("seats/<id:seat_id>/vacate/", views.seat_vacate, name="seat_vacate"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<slug:code>/", views.unit_detail, name="unit_detail"),
    path("units/<slug:code>/seats/add/", views.unit_seat_add, name="unit_seat_add"),
    path(
        "units/<slug:code>/seats/<id:seat_id>/fill/",
        views.unit_seat_fill,
        name="unit_seat_fill",
    ),
    path(
        "units/<slug:code>/seats/<id:seat_id>/vacate/",
        views.unit_seat_vacate,
        name="unit_seat_vacate",
    ),
    path("people/<id:pk>/", views.person_detail, name="person_detail"),
    path("calendar/token/", views.calendar_token_issue, name="calendar_token_issue"),
    path("calendar/token/revoke/", views.calendar_token_revoke, name="calendar_token_revoke"),
]
