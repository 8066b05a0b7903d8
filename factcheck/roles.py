"""Who a user is in the newsroom: reviewers and editors are Django groups."""

REVIEWERS = "reviewers"
EDITORS = "editors"


def role_annotations(user_field):
    """Annotations telling, in the same query, whether the user in ``user_field`` is a reviewer, an editor.

    Saves the group query of every token-authenticated request; read back with :func:`remember_roles`.
    """
    from django.contrib.auth.models import Group
    from django.db.models import Exists, OuterRef

    return {
        f"_in_{name}": Exists(Group.objects.filter(name=name, user=OuterRef(user_field)))
        for name in (REVIEWERS, EDITORS)
    }


def remember_roles(user, annotated):
    """Cache on ``user`` the roles that :func:`role_annotations` read onto ``annotated``."""
    user._factcheck_groups = frozenset(name for name in (REVIEWERS, EDITORS) if getattr(annotated, f"_in_{name}"))


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
