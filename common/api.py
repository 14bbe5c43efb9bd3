"""What every API view shares: the one error path, pagination, strict ordering and search.

Kept free of drf-spectacular, which imports DRF's views and so these settings (sanming_fupin/schema.py)."""

import hashlib

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.views import defaults
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, status, throttling
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.views import exception_handler as drf_exception_handler

from .cache import window_count
from .refusals import Refused


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "该记录被其他记录引用，不能删除"
    default_code = "conflict"


def exception_handler(exc, context):
    """Django's ValidationError (raised by the services) becomes a 400 naming the fields, a
    protected delete a 409, a service's refusal a 403 (a 400 naming the field when the refused
    value is one the caller chose outside their scope); everything else as DRF answers it, always
    JSON."""
    if isinstance(exc, Refused) and exc.field:
        exc = ValidationError({exc.field: [exc.message]})
    elif isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})
    elif isinstance(exc, ValidationError) and isinstance(exc.detail, list):
        exc = ValidationError({"non_field_errors": exc.detail})  # always an object, as documented
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        names = sorted({obj._meta.verbose_name for obj in exc.protected_objects if hasattr(obj, "_meta")})
        exc = Conflict(f"该记录被其他记录引用（{'、'.join(map(str, names))}），不能删除")
    elif isinstance(exc, IntegrityError):
        # The services check every rule first; only a concurrent write can still trip a constraint.
        exc = Conflict("与同时提交的另一条记录冲突，未作修改，请刷新后重试")
    return drf_exception_handler(exc, context)


# Known to every list, whether it pages, orders or searches or not: a client's habit is no typo.
ALWAYS_KNOWN = frozenset({"page", "page_size", "cursor", "ordering", "search", "format"})


def refuse_unknown_parameters(request, known) -> None:
    """A query parameter the endpoint does not know is a 400 naming it, never silently ignored: a
    typo (`?countyy=`) must not turn into the whole city."""
    unknown = sorted(set(request.query_params) - ALWAYS_KNOWN - set(known))
    if unknown:
        offered = "、".join(sorted(set(known))) or "无"
        raise ValidationError({name: [f"未知的查询参数“{name}”；可用的筛选条件：{offered}"] for name in unknown})


class KnownParametersFilter(filters.BaseFilterBackend):
    """The first of every view's filter backends: the query may name only the filters the view's
    filterset offers (and `query_parameters`, what a view reads itself), besides ALWAYS_KNOWN."""

    def filter_queryset(self, request, queryset, view):
        known = set(getattr(view, "query_parameters", ()))
        for backend in getattr(view, "filter_backends", ()):
            if issubclass(backend, DjangoFilterBackend):
                filterset = backend().get_filterset_class(view, queryset)
                known |= set(filterset.base_filters) if filterset else set()
        refuse_unknown_parameters(request, known)
        return queryset


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, which leaves the filterset out when the query names none of its
    filters: each lets an absent value through, so building and validating the filterset's form
    would change nothing (a good part of a list page's own time)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or request.query_params.keys().isdisjoint(filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


class WindowCount:
    """DRF's throttles keep the time of every request of the period (up to THROTTLE_USER of them),
    read from the cache and written back on every request; these count them instead, in a window
    that opens with the first request: one number per caller, one round trip to Redis."""

    cache_format = "throttle_window_%(scope)s_%(ident)s"  # not DRF's: its lists may still be there

    def allow_request(self, request, view):
        if self.rate is None or (key := self.get_cache_key(request, view)) is None:
            return True
        hits, self.left = window_count(self.cache, key, self.duration, now=self.timer())
        return hits <= self.num_requests

    def wait(self):
        return self.left


class UserRateThrottle(WindowCount, throttling.UserRateThrottle):
    """A request with a token is counted under its token (one token per user, DRF's authtoken), as
    the authentication reads its caller, in the same round trip to the cache (households.callers):
    token_window() names the window, allow_request() takes the count the token brought."""

    def token_window(self, key: str) -> tuple[str, int] | None:
        if self.rate is None:
            return None
        ident = "token_" + hashlib.sha256(key.encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}, self.duration

    def allow_request(self, request, view):
        counted = getattr(request.auth, "window", None)
        if counted is None or self.rate is None:
            return super().allow_request(request, view)
        hits, self.left = counted
        return hits <= self.num_requests


class AnonRateThrottle(WindowCount, throttling.AnonRateThrottle):
    pass


def read_query(serializer_class, request) -> dict:
    """The query of a view that reads it with a serializer (no queryset to filter): its fields are
    the parameters it knows; the values as validated, those not given left out."""
    refuse_unknown_parameters(request, serializer_class().fields)
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return {k: v for k, v in query.validated_data.items() if v is not None}


class WriteGate:
    """A viewset mixin: before a write's input is read or its record looked up, the service's own
    first question (`write_gate(actor=..., model=...)`, which raises Refused) is asked, so that a
    role the service lets make no write of this kind is refused (403) alike, whatever it sends."""

    write_gate = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in SAFE_METHODS:
            type(self).write_gate(actor=request.user, model=self.queryset.model)


class WalkPagination(CursorPagination):
    """For systems that walk the whole registry: in primary-key order, stable under inserts, and
    without a COUNT(*) per page."""

    def get_ordering(self, request, queryset, view):
        # Always the primary key: unique and never changed, as a cursor needs.
        return (queryset.model._meta.pk.name,)

    def decode_cursor(self, request):
        # `?cursor=` with no value starts the walk.
        return super().decode_cursor(request) if request.query_params.get(self.cursor_query_param) else None


class Pagination(PageNumberPagination):
    """Page numbers with the count (page, page_size: default 50, at most 500); or, with `cursor`
    in the query (empty to start), a cursor walk in id order whose pages link to the next."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    walk = None

    def paginate_queryset(self, queryset, request, view=None):
        if WalkPagination.cursor_query_param in request.query_params:
            self.walk = WalkPagination()
            self.walk.page_size = self.get_page_size(request)
            return self.walk.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self.walk.get_paginated_response(data) if self.walk else super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["required"] = ["results"]  # no count in a cursor walk
        return schema

    def get_schema_operation_parameters(self, view):
        cursor = {
            "name": WalkPagination.cursor_query_param, "required": False, "in": "query",
            "description": "游标分页：留空从头开始，之后使用返回的 next 链接", "schema": {"type": "string"},
        }
        return [*super().get_schema_operation_parameters(view), cursor]

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({"page_size": f"每页条数必须是 1 到 {self.max_page_size} 的整数"})
        return int(raw)


class StrictOrderingFilter(filters.OrderingFilter):
    """An ordering on a field the view does not offer is refused, not silently ignored."""

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw:
            fields = [f.strip() for f in raw.split(",") if f.strip()]
            valid = self.remove_invalid_fields(queryset, fields, view, request)
            if len(valid) != len(fields):
                offered = ", ".join(name for name, _label in self.get_valid_fields(queryset, view, {"request": request}))
                raise ValidationError({"ordering": f"不能按 {raw} 排序；可用字段：{offered}"})
        return super().get_ordering(request, queryset, view)


class SearchFilter(filters.SearchFilter):
    """Lets a view choose its search fields per request (`get_search_fields(request)`), so that
    only those who may see whole ID numbers can search by them."""

    def get_search_fields(self, view, request):
        if hasattr(view, "get_search_fields"):
            return view.get_search_fields(request)
        return super().get_search_fields(view, request)

    def get_search_terms(self, request):
        try:
            return super().get_search_terms(request)
        except ValidationError as e:
            raise ValidationError({self.search_param: e.detail}) from None


def not_found(request, exception=None):
    """Django's 404 for a URL no route matches: JSON under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "未找到。"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "服务器内部错误，已记录。"}, status=500)
    return defaults.server_error(request)
