"""API token authentication: django-rest-knox, refusing malformed tokens before they reach the database."""

import binascii
import functools
import re
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

from factcheck import roles

# Knox tokens are a short prefix and hex digits. Anything else (NUL bytes, non-ASCII, megabytes) is
# refused here: PostgreSQL rejects NUL in a query and knox would fail to decode invalid UTF-8.
WELL_FORMED_TOKEN = re.compile(rb"[\x21-\x7e]{1,200}")


class TokenAuthentication(auth.TokenAuthentication):
    """``Authorization: Token <key>``; a malformed, unknown or expired key is a 401.

    Knox's own check reads the token, then every token of its user (to delete the expired ones),
    then the permission checks read the user's groups: three queries on every request. Here one
    query reads the token, its user and the user's roles; an expired token is deleted when it is
    presented, and a user's other expired tokens when that user logs in (``TokenLoginView``).
    """

    def authenticate_credentials(self, token):
        invalid = exceptions.AuthenticationFailed(_("Invalid token."))
        if not WELL_FORMED_TOKEN.fullmatch(token):
            raise invalid
        token = token.decode()
        try:
            digest = hash_token(token)
        except (TypeError, ValueError, binascii.Error):
            raise invalid from None
        for auth_token in token_candidates(token[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if not compare_digest(digest, auth_token.digest):
                continue
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                auth_token.delete()
                token_expired.send(sender=self.__class__, username=auth_token.user.get_username(), source="auth_token")
                raise invalid
            if knox_settings.AUTO_REFRESH and auth_token.expiry:
                self.renew_token(auth_token)
            return self.validate_user(auth_token)
        raise invalid


def token_candidates(key):
    """The tokens whose key is ``key``, each with its user, whose roles are known: one query."""
    for auth_token in tokens_with_roles().filter(token_key=key):
        roles.remember_roles(auth_token.user, auth_token)
        yield auth_token


@functools.cache
def tokens_with_roles():
    """Tokens with their user and whether that user is a reviewer, an editor (``roles.role_annotations``).

    Built once and filtered for each request (``filter`` copies it): building the two ``Exists`` anew
    took 0.7 ms of CPU per authenticated request, as much as the rest of this query (bench/README.md).
    """
    return get_token_model().objects.select_related("user").annotate(**roles.role_annotations("user"))


class TokenScheme(KnoxTokenScheme):
    """Documents :class:`TokenAuthentication` in the OpenAPI document as knox's scheme."""

    target_class = "factcheck.tokens.TokenAuthentication"


def note_password_change(sender, instance, update_fields=None, **kwargs):
    """``pre_save`` of the user model: remember whether this save changes the password."""
    instance._password_changes = password_changes(instance, update_fields)


def revoke_tokens_after_password_change(sender, instance, **kwargs):
    """``post_save`` of the user model: a changed password revokes every API token of the user.

    Whatever changed it: the admin's password form, ``manage.py changepassword``, password reset,
    ``set_password()`` and ``save()`` anywhere. Sessions are Django's business (its views keep the
    session that changed the password, ``update_session_auth_hash``).
    """
    if instance.__dict__.pop("_password_changes", False):
        get_token_model().objects.filter(user=instance).delete()


def password_changes(user, update_fields):
    """Whether saving ``user`` (with ``update_fields``) stores a new password.

    ``set_password()`` keeps the raw password in ``_password`` until the save; Django clears it when
    it only re-hashes the same password at login (a hasher upgrade), which therefore keeps the tokens.
    A password assigned as a ready-made hash to ``user.password`` is not detected.
    """
    if user._state.adding or (update_fields is not None and "password" not in update_fields):
        return False
    if getattr(user, "_password", None) is not None:
        return True
    if user.has_usable_password():
        return False
    # set_unusable_password() (password login disabled) bypasses set_password(): compare with the stored hash.
    stored = type(user)._default_manager.filter(pk=user.pk).values_list("password", flat=True).first()
    return stored is not None and stored != user.password
