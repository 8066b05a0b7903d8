"""API token authentication: django-rest-knox, refusing malformed tokens before they reach the database."""

import binascii
import functools
import re
from hmac import compare_digest

from django.db import connection, connections, router
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
    """The tokens whose key is ``key``, each with its user, whose roles are known: one query.

    On PostgreSQL a hand-written query: compiling the same with the ORM (a join and two ``EXISTS``)
    took three times as long as running it, 1.5 ms of every authenticated request.
    """
    model = get_token_model()
    using = router.db_for_read(model)
    if connections[using].vendor != "postgresql":
        quote = connections[using].ops.quote_name
        user_id = f"{quote(model._meta.db_table)}.{quote(model._meta.get_field('user').column)}"
        queryset = model.objects.using(using).filter(token_key=key).select_related("user")
        for auth_token in queryset.annotate(**roles.role_annotations(user_id)):
            roles.remember_roles(auth_token.user, auth_token)
            yield auth_token
        return
    user_model = model._meta.get_field("user").related_model
    sql, token_fields, user_fields = _token_query(model, user_model)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [*roles.ROLES, key])
        rows = cursor.fetchall()
    for row in rows:
        auth_token = model.from_db(using, token_fields, row[: len(token_fields)])
        user = user_model.from_db(using, user_fields, row[len(token_fields) : -len(roles.ROLES)])
        auth_token.user = user
        roles.remember_group_memberships(user, row[-len(roles.ROLES) :])
        yield auth_token


@functools.cache
def _token_query(model, user_model):
    """(SQL, token attnames, user attnames): every column of the token and of its user, then the roles."""
    quote = connection.ops.quote_name
    token_fields = [field.attname for field in model._meta.concrete_fields]
    user_fields = [field.attname for field in user_model._meta.concrete_fields]
    user_id = f"t.{quote(model._meta.get_field('user').column)}"
    columns = [
        *(f"t.{quote(field.column)}" for field in model._meta.concrete_fields),
        *(f"u.{quote(field.column)}" for field in user_model._meta.concrete_fields),
        *(roles.membership_sql(user_id) for _ in roles.ROLES),
    ]
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(model._meta.db_table)} t"
        f" JOIN {quote(user_model._meta.db_table)} u ON u.{quote(user_model._meta.pk.column)} = {user_id}"
        f" WHERE t.{quote(model._meta.get_field('token_key').column)} = %s"
    )
    return sql, token_fields, user_fields


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
