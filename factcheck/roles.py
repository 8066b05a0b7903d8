"""Who a user is in the newsroom: reviewers and editors are Django groups."""

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

REVIEWERS = "reviewers"
EDITORS = "editors"
ROLES = (REVIEWERS, EDITORS)


def role_annotations(user_field):
    """Annotations telling, in the same query, whether the user that ``user_field`` (a foreign key of the
    queried model) points to is a reviewer, an editor. Read back with :func:`remember_roles`.

    Saves the group query of every token-authenticated request.
    """
    return {f"_in_{name}": Exists(Group.objects.filter(user=OuterRef(user_field), name=name)) for name in ROLES}


def remember_roles(user, annotated):
    """Cache on ``user`` the roles that :func:`role_annotations` read onto ``annotated``."""
    user._factcheck_groups = frozenset(name for name in ROLES if getattr(annotated, f"_in_{name}"))


def _group_names(user):
    # Cached on the user object: permission checks run several times per request.
    if not hasattr(user, "_factcheck_groups"):
        user._factcheck_groups = frozenset(user.groups.values_list("name", flat=True))
    return user._factcheck_groups


def is_editor(user):
    """Editors (and superusers) publish, return and edit any unpublished review."""
    return bool(user and user.is_authenticated and (user.is_superuser or EDITORS in _group_names(user)))


def is_newsroom(user):
    """Reviewers, editors and superusers: the people who work on unpublished material."""
    return bool(user and user.is_authenticated and (user.is_superuser or _group_names(user) & {REVIEWERS, EDITORS}))
