from django.urls import path

from followup import views

app_name = "followup"

urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("export.xlsx", views.item_export, name="item_export"),
    path("new/", views.item_new, name="item_new"),
    path("decisions/", views.decision_list, name="decision_list"),
    path("agenda/", views.agenda_add, name="agenda_add"),
    path("items/<id:pk>/", views.item_detail, name="item_detail"),
    path("items/<id:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("items/<id:pk>/attachments/<id:event>/", views.attachment, name="attachment"),
    path("items/<id:pk>/<slug:step>/", views.item_step, name="item_step"),
    path("extensions/<id:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("forwardings/", views.forwarding_list, name="forwarding_list"),
    path("forwardings/<id:pk>/", views.forwarding_detail, name="forwarding_detail"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/<id:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<id:pk>/findings/", views.finding_add, name="finding_add"),
    path("report/", views.report, name="report"),
    path("report.xlsx", views.report_export, name="report_export"),
]
