"""The ``reviewers`` and ``editors`` groups and their admin permissions, kept in step on every migrate."""

from django.contrib.auth.models import Group, Permission

from factcheck.roles import EDITORS, REVIEWERS

NEWSROOM_PERMISSIONS = [
    "claims.view_article",
    "claims.add_article",
    "claims.change_article",
    "claims.view_claim",
    "claims.add_claim",
    "claims.change_claim",
    "claims.view_tag",
    "claims.add_tag",
    "claims.view_claimant",
    "claims.view_claimantalias",
    "claims.view_externalfactcheck",
    "reviews.view_review",
    "reviews.add_review",
    "reviews.change_review",
    "reviews.delete_review",
    "reviews.view_evidence",
    "reviews.add_evidence",
    "reviews.change_evidence",
    "reviews.delete_evidence",
]
# Editors edit claimants and their aliases, and merge duplicates (a merge deletes the duplicate).
CLAIMANT_EDITING = [
    "claims.add_claimant",
    "claims.change_claimant",
    "claims.add_claimantalias",
    "claims.change_claimantalias",
    "claims.delete_claimantalias",
]
# Editors import fact-checks from elsewhere (the admin's import form, which checks the role) and delete them.
GROUP_PERMISSIONS = {
    REVIEWERS: NEWSROOM_PERMISSIONS,
    # Editors also read the events (reviews.events) in the admin; the API shows them to every reviewer.
    EDITORS: [
        *NEWSROOM_PERMISSIONS,
        "claims.change_tag",
        *CLAIMANT_EDITING,
        "claims.delete_externalfactcheck",
        "reviews.view_event",
    ],
}


def ensure_groups(**kwargs):
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
