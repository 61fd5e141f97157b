"""What a person may do with a body. The only module that reads django-guardian's rows.

Permissions come from seats alone: a superuser administers the site through Django admin but
does not convene, vote or sign by virtue of being a superuser (Art. 12, 15).
"""

from django.http import Http404

from members.models import Body, BodyUserObjectPermission, User

_CACHE_ATTR = "_infogov_body_perms"


def body_perms(user: User) -> dict[int, frozenset[str]]:
    """Return {body id: codenames} for ``user``, read once per request object."""
    if not user.is_authenticated or not user.is_active:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        grouped: dict[int, set[str]] = {}
        for body_id, codename in BodyUserObjectPermission.objects.filter(user=user).values_list(
            "content_object_id", "permission__codename"
        ):
            grouped.setdefault(body_id, set()).add(codename)
        cached = {body_id: frozenset(codes) for body_id, codes in grouped.items()}
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user: User) -> None:
    """Drop the cached permissions after a change within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_body_perm(user: User, codename: str, body: Body) -> bool:
    return codename in body_perms(user).get(body.pk, frozenset())


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
