"""The request type of views that only a signed-in person reaches, for the type checker.

``HttpRequest.user`` is a ``User`` or an ``AnonymousUser``; behind ``login_required`` (and in
the admin, which is staff only) it is always one of the portal's users. Views annotate their
request as ``SignedInRequest`` and hand ``request.user`` to services that take a ``User``; at
run time it is the very same HttpRequest. ``htmx`` is what django_htmx's middleware sets.
"""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from members.models import User


class SignedInRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
