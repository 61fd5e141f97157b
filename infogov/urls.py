from allauth.account import views as account_views
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from infogov.views import healthz
from members.views import dashboard

# The admin signs in through the portal's login page, with its second factor and lockout
# (allauth's documented way: replacing the bound method, which mypy does not allow).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

# Error pages in the user's language with the site's navigation (405: infogov.errors' middleware).
handler400 = "infogov.errors.bad_request"
handler403 = "infogov.errors.permission_denied"
handler404 = "infogov.errors.page_not_found"
handler500 = "infogov.errors.server_error"

urlpatterns = [
    path("", dashboard, name="dashboard"),
    # allauth's sign-in and sign-out, under the names the portal has always used.
    path("login/", account_views.login, name="login"),
    path("logout/", account_views.logout, name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # allauth: password change and reset (password/...), two-factor authentication (2fa/...).
    path("", include("allauth.urls")),
    path("", include("members.urls")),
    path("", include("meetings.urls")),
    path("", include("projects.urls")),
    path("followup/", include("followup.urls")),
]
