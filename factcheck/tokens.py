"""API token authentication: django-rest-knox, refusing malformed tokens before they reach the database.

Fails closed: any ``Authorization`` header is a claim to be someone, so one that does not
authenticate (unknown, expired or revoked token, another scheme, no token at all) is a 401, never the
anonymous view.
"""

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
from rest_framework.authentication import get_authorization_header

from factcheck import roles

# Knox tokens are a short prefix and hex digits. Anything else (NUL bytes, non-ASCII, megabytes) is
# refused here: PostgreSQL rejects NUL in a query and knox would fail to decode invalid UTF-8.
WELL_FORMED_TOKEN = re.compile(rb"[\x21-\x7e]{1,200}")
# ``Token`` is knox's (and DRF's) scheme; ``Bearer`` (RFC 6750) is what generated clients send. Same tokens.
SCHEMES = (b"token", b"bearer")
# What a 401 asks for: either scheme, in one ``WWW-Authenticate`` header (RFC 9110 allows a list).
CHALLENGE = 'Token realm="api", Bearer realm="api"'


class TokenAuthentication(auth.TokenAuthentication):
    """``Authorization: Token <key>`` or ``Bearer <key>``; any other ``Authorization`` header is a 401.

    A request without the header is left to the next authentication class (the session) and is
    otherwise anonymous. With the header, it authenticates or it is refused: an unknown scheme
    (``Basic …``), a scheme without a token, an empty header, a malformed, unknown, expired or revoked
    key. Session authentication never sees such a request.

    Knox's own check reads the token, then every token of its user (to delete the expired ones),
    then the permission checks read the user's groups: three queries on every request. Here one
    query reads the token, its user and the user's roles; an expired token is deleted when it is
    presented, and a user's other expired tokens when that user logs in (``TokenLoginView``).
    """

    def authenticate(self, request):
        if "HTTP_AUTHORIZATION" not in request.META:
            return None
        parts = get_authorization_header(request).split()
        if not parts:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header is empty: send `Token <key>` or `Bearer <key>`, or no header at all.")
            )
        if parts[0].lower() not in SCHEMES:
            raise exceptions.AuthenticationFailed(
                _("Unsupported authorization scheme: send `Token <key>` or `Bearer <key>`.")
            )
        if len(parts) == 1:
            raise exceptions.AuthenticationFailed(_("Invalid token header. No credentials provided."))
        if len(parts) > 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header. Token string should not contain spaces."))
        return self.authenticate_credentials(parts[1])

    def authenticate_header(self, request):
        return CHALLENGE

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
    """Documents :class:`TokenAuthentication` in the OpenAPI document: two schemes, either of which will do.

    ``tokenAuth`` (the ``Authorization`` header with ``Token <key>``; OpenAPI's ``http`` type allows
    only registered schemes, so it is an API key whose value carries the prefix) and ``bearerAuth``
    (``http`` ``bearer``, which generated clients fill in from a configured token).
    """

    target_class = "factcheck.tokens.TokenAuthentication"
    name = ["tokenAuth", "bearerAuth"]

    def get_security_requirement(self, auto_schema):
        return [{"tokenAuth": []}, {"bearerAuth": []}]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "`Token <key>`, the key from `POST /api/v1/auth/token/`.",
            },
            {
                "type": "http",
                "scheme": "bearer",
                "description": "The same key as `Bearer <key>`.",
            },
        ]


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
