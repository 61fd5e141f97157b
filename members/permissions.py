"""What a person may do with a body. The only module that reads django-guardian's rows.

Permissions come from seats alone: a superuser administers the site through Django admin but
does not convene, vote or sign by virtue of being a superuser (Art. 12, 15).
"""

from django.core.cache import cache
from django.http import Http404

from members.models import Body, BodyUserObjectPermission, User

_CACHE_ATTR = "_infogov_body_perms"
# Bounds what a guardian row changed outside members.services (by hand, in the database) may
# keep granting, until `manage.py sync_permissions` repairs it and moves the revision on.
PERMISSIONS_TIMEOUT = 600


def body_perms(user: User) -> dict[int, frozenset[str]]:
    """Return {body id: codenames} for ``user``: read once per user object, and kept in the
    cache under the user's permissions revision, which the services move on with every grant
    and revocation (so a cached entry is never older than the user row just read)."""
    if not user.is_authenticated or not user.is_active:
        return {}
    found = getattr(user, _CACHE_ATTR, None)
    if found is None:
        key = f"body-perms:{user.pk}:{user.permissions_revision}"
        found = cache.get(key)
        if found is None:
            grouped: dict[int, set[str]] = {}
            rows = BodyUserObjectPermission.objects.filter(user=user).values_list(
                "content_object_id", "permission__codename"
            )
            for body_id, codename in rows:
                grouped.setdefault(body_id, set()).add(codename)
            found = {body_id: frozenset(codes) for body_id, codes in grouped.items()}
            cache.set(key, found, PERMISSIONS_TIMEOUT)
        setattr(user, _CACHE_ATTR, found)
    return found


def forget(user: User) -> None:
    """Drop the permissions read for ``user`` after a change within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    if user.pk is not None:
        user.refresh_from_db(fields=["permissions_revision"])


def has_body_perm(user: User, codename: str, body: Body | int) -> bool:
    """Whether ``user`` holds ``codename`` on ``body`` (a Body or its id: a page that read
    only the id asks without loading the body)."""
    body_id = body if isinstance(body, int) else body.pk
    return codename in body_perms(user).get(body_id, frozenset())


def can_manage_seats(user: User, body: Body) -> bool:
    """Art. 9: the Office keeps the roster."""
    return has_body_perm(user, "manage_seats", body)


def can_view_roster(user: User) -> bool:
    """The roster is open to every signed-in person of the university."""
    return user.is_authenticated and user.is_active


def get_body_for_user_or_404(user: User, code: str) -> Body:
    if not can_view_roster(user):
        raise Http404
    try:
        return Body.objects.select_related("parent", "host_unit").get(code=code)
    except Body.DoesNotExist:
        raise Http404 from None
