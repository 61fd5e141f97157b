from django.urls import path

from followup import views

app_name = "followup"

urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("export.xlsx", views.item_export, name="item_export"),
    path("new/", views.item_new, name="item_new"),
    path("decisions/", views.decision_list, name="decision_list"),
    path("agenda/", views.agenda_add, name="agenda_add"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("items/<int:pk>/attachments/<int:event>/", views.attachment, name="attachment"),
    path("items/<int:pk>/<slug:step>/", views.item_step, name="item_step"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("forwardings/", views.forwarding_list, name="forwarding_list"),
    path("forwardings/<int:pk>/", views.forwarding_detail, name="forwarding_detail"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/findings/", views.finding_add, name="finding_add"),
    path("report/", views.report, name="report"),
    path("report.xlsx", views.report_export, name="report_export"),
]
