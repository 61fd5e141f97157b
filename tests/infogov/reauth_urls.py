"""The portal's URLs and one step guarded by a recent second factor, for tests/infogov and the
browser test: GET shows "guarded", POST counts one in steps_taken."""

from django.http import HttpResponse
from django.urls import path

from infogov.reauth import require_recent_second_factor
from infogov.urls import urlpatterns as portal

steps_taken: list[int] = []  # who took the step, in order


@require_recent_second_factor
def guarded(request):
    if request.method == "POST":
        steps_taken.append(request.user.pk)
    return HttpResponse("guarded step done" if request.method == "POST" else "guarded page")


urlpatterns = [path("guarded/", guarded, name="guarded"), *portal]
