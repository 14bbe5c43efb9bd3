"""What every page of the dashboards shares: login and a role required, filters that are choices
(400 naming the field otherwise), links that keep the year, the breadcrumbs, and `?export=<table>`
answering with that table as a logged Excel download."""

import functools
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from common.replica_middleware import reads_from_replica
from households.access import may_see_full_id
from households.exports import table_response
from households.models import ExportLog

from .. import selectors, tables
from ..forms import DashboardFilter


class InvalidFilter(Exception):
    def __init__(self, form):
        self.form = form


def dashboard_page(view):
    """Login required (the admin's login page); 403 for a user with no role in the registry;
    400 naming the field for a filter that is not a choice. Its GET may read the replica, when one
    is configured (common/replica_middleware.py)."""

    @login_required
    @functools.wraps(view)
    def page(request, *args, **kwargs):
        if not selectors.may_use_dashboards(request.user):
            raise PermissionDenied("您的账号没有登记库角色，不能查看统计页面")
        try:
            return view(request, *args, **kwargs)
        except InvalidFilter as e:
            return render(request, "dashboard/bad_filter.html", {"form": e.form}, status=400)

    return reads_from_replica(page)


def read_filters(request, *fields: str, counties: list[tuple[str, str]] | None = None,
                 years: range | None = None) -> DashboardFilter:
    form = DashboardFilter(request.GET, user=request.user, fields=fields, counties=counties, years=years)
    if not form.is_valid():
        raise InvalidFilter(form)
    return form


def linker(year: int | None, figures: str = "live"):
    """URLs one level down that keep the year chosen (and the accepted figures, when shown), so a
    drill-down stays in that year."""
    query = urlencode({**({"year": year} if year else {}), **({"figures": figures} if figures != "live" else {})})
    query = f"?{query}" if query else ""
    return lambda name, code: reverse(name, args=[code]) + query


def respond(request, template: str, context: dict, page_tables: list[tables.Table]):
    """The page, or with `?export=<name>` its table of that name as a logged Excel download."""
    name = request.GET.get("export")
    if name is None:
        return render(request, template, {**context, "tables": {t.name: t for t in page_tables}})
    table = next((t for t in page_tables if t.name == name), None)
    if table is None:
        raise Http404(f"本页没有表格“{name}”")
    filters = {"page": request.path, **{k: v for k, v in request.GET.items() if k != "export"}}
    return table_response(request, kind=f"dashboard.{table.name}", title=table.title, columns=table.columns,
                          rows=table.rows, filters=filters, door=ExportLog.Door.PAGE,
                          full_id_numbers="id_number" in table.columns and may_see_full_id(request.user))


def crumbs_to(place, *, link) -> list[tuple[str, str]]:
    """全市 → county → township → village, down to `place` (a county, township or village)."""
    path = [("三明市", reverse("dashboard:overview"))]
    chain = []
    while place is not None:
        chain.insert(0, place)
        place = getattr(place, "township", None) or getattr(place, "county", None)
    for p in chain:
        path.append((p.name, link(f"dashboard:{p._meta.model_name}", p.code)))
    return path
