"""The doors' side of the replica (common/replica.py): which requests' reads may go to it, and
read-your-writes. A GET of a page marked with reads_from_replica (the dashboards, their exports,
the data-quality page) or of an API list or export action may read the replica; a request that
writes marks its caller, by a cookie and, for a signed-in user, in the cache (shared by every
process with REDIS_URL: what carries a token caller's mark), and the caller's requests read the
primary for the next DATABASE_REPLICA_PIN_SECONDS: a form that saves and shows the result shows it.
A read that fails on the replica runs the view again on the primary."""

import math

from django.conf import settings
from django.core.cache import cache

from .replica import REPLICA_FAILURES, Reads, current, enter, leave, replica_failed

PIN_COOKIE = "fupin_wrote"
# The API's reads that may go to the replica: a viewset's list, and its export of what the list shows.
API_ACTIONS = {"list", "export"}


def reads_from_replica(view):
    """Marks a view whose GET reads may be answered by the replica."""
    view.reads_from_replica = True
    return view


def _eligible(view_func) -> bool:
    if getattr(view_func, "reads_from_replica", False):
        return True
    return (getattr(view_func, "actions", None) or {}).get("get") in API_ACTIONS


def _pin_key(user_pk) -> str:
    return f"replica-pin:{user_pk}"


def _pinned(request) -> bool:
    """Whether the caller wrote within DATABASE_REPLICA_PIN_SECONDS. Asked at the request's first
    read that could go to the replica: by then the API has authenticated its token."""
    if PIN_COOKIE in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and cache.get(_pin_key(user.pk)))


def _pin(request, response) -> None:
    seconds = settings.DATABASE_REPLICA_PIN_SECONDS
    if not seconds:
        return
    response.set_cookie(PIN_COOKIE, "1", max_age=seconds, httponly=True, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        cache.set(_pin_key(user.pk), True, math.ceil(seconds))


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reads = Reads(pinned=lambda: _pinned(request))
        token = enter(reads)
        try:
            response = self.get_response(request)
        finally:
            leave(token)
        if reads.wrote:
            _pin(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        reads = current()
        if reads is not None and request.method in ("GET", "HEAD") and _eligible(view_func):
            reads.eligible = True
            request.replica_view = (view_func, view_args, view_kwargs)

    def process_exception(self, request, exception):
        """A replica that failed under this request's reads (stopped, unreachable, a read cancelled
        by the WAL it replays), before it wrote anything: the view again, on the primary."""
        reads, view = current(), getattr(request, "replica_view", None)
        if (reads is None or view is None or not reads.used or reads.wrote
                or not isinstance(exception, REPLICA_FAILURES)):
            return None
        replica_failed(exception)
        reads.eligible = False
        view_func, args, kwargs = view
        response = view_func(request, *args, **kwargs)
        if callable(getattr(response, "render", None)):
            response = response.render()  # here: a read while rendering must find the primary too
        return response
