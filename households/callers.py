"""The API's caller, read once per token: the token's user with its registry role and its model
permissions, kept in Django's cache (Redis in production: REDIS_URL) for CALLER_CACHE_SECONDS, so
that a request with a token costs no query of its own. access.py decides what the caller may do
from it, as from any user.

Anything the caller holds that changes drops every cached caller at once, so the change takes
effect on the next request: the role services (role_grant, role_revoke) call callers_forget(), and
for what Django's own admin writes without our services (a user's flags, groups and permissions, a
group's permissions, a token deleted) the receivers below do (connected in apps.ready())."""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from rest_framework.authtoken.models import Token

from common.cache import get_counting, window_count

from .access import user_role


def _key(token: str) -> str:
    # Hashed: what the cache holds opens no door.
    return "caller:" + hashlib.sha256(token.encode()).hexdigest()


def caller_by_token(key: str, *, window: tuple[str, int] | None = None) -> Token | None:
    """Runs two queries (the token with its user and role, the permissions) when the cache does
    not hold the token's caller; None for an unknown token. An inactive user is not kept.
    `window` (a throttle's cache key and period) counts this request in it in the same round trip
    to the cache as the caller's read: token.window is then (hits, seconds left), for the throttle."""
    seconds = settings.CALLER_CACHE_SECONDS
    token = counted = None
    if window is not None and seconds:
        token, hits, left = get_counting(cache, _key(key), *window)
        counted = hits, left
    elif window is not None:
        counted = window_count(cache, *window)
    elif seconds:
        token = cache.get(_key(key))
    if token is None:
        # Not the password's hash: it has no business in a cache.
        tokens = Token.objects.select_related("user", "user__registry_role").defer("user__password")
        token = tokens.filter(key=key).first()
        if token is None:
            if window is not None:
                cache.delete(window[0])  # a window opened by a made-up token would only fill the cache
            return None
        user_role(token.user)  # None for a user without a role, kept as such
        if not token.user.is_superuser:  # who holds every permission is never asked
            token.user.get_all_permissions()  # Django's ModelBackend keeps them on the user object
        if seconds and token.user.is_active:
            cache.set(_key(key), token, seconds)
    token.window = counted  # after it was cached: the count is this request's alone
    return token


def callers_forget() -> None:
    """Runs a query. Drops every cached caller: now, and again when the transaction that changed
    a role commits, lest a request read the old role in between and keep it. Tokens are few (other
    systems, a few people) and changes of roles rare, so every caller goes, not only the changed."""
    keys = [_key(k) for k in Token.objects.values_list("key", flat=True)]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def _auth_changed(sender, **kwargs):
    if kwargs.get("update_fields") == frozenset({"last_login"}):
        return  # a login: nothing the caller holds
    action = kwargs.get("action")
    if action is None or action.startswith("post_"):
        callers_forget()


def connect() -> None:
    """The receivers for Django's own models of accounts and tokens (from apps.ready())."""
    User = get_user_model()
    receivers = [
        (post_save, User), (pre_delete, User), (pre_delete, Token), (post_delete, Group), (post_delete, Permission),
        (m2m_changed, User.groups.through), (m2m_changed, User.user_permissions.through),
        (m2m_changed, Group.permissions.through),
    ]
    for i, (signal, model) in enumerate(receivers):
        signal.connect(_auth_changed, sender=model, dispatch_uid=f"callers_forget_{i}")
