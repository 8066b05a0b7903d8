"""Who a user is in the newsroom: reviewers and editors are Django groups."""

REVIEWERS = "reviewers"
EDITORS = "editors"


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
