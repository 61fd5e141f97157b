from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from infogov.views import healthz
from members.views import dashboard

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("members.urls")),
    path("", include("meetings.urls")),
]
