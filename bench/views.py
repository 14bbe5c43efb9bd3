"""The floor: a bare Django view serving the same rows as GET /api/v1/households/ (same fields,
members nested, same page-number pagination with the count), without DRF and without auth;
`?county=` keeps one county's households."""

from django.http import JsonResponse

from households.models import Household, Member
from households.models.households import in_county
from households.selectors import HOUSEHOLD_ROW_FIELDS as HOUSEHOLD_FIELDS
from households.selectors import MEMBER_ROW_FIELDS as MEMBER_FIELDS


def bare_households(request):
    page, size = int(request.GET.get("page", 1)), int(request.GET.get("page_size", 50))
    households = Household.objects.with_current_helper().order_by("id")  # the helper's three fields
    if county := request.GET.get("county"):  # a county clerk's page (bench/county_pages.py), as the API
        households = households.filter(in_county(county))
    count = households.count()
    rows = list(households.values(*HOUSEHOLD_FIELDS)[(page - 1) * size:page * size])
    ids = [row["id"] for row in rows]
    members: dict[int, list] = {}
    for m in Member.objects.filter(household_id__in=ids).order_by("id").values(*MEMBER_FIELDS):
        household = m.pop("household_id")
        m["id_number"] = m["id_number"][:6] + "*" * 8 + m["id_number"][-4:]
        members.setdefault(household, []).append(m)
    causes: dict[int, list] = {}
    for household, cause in Household.other_causes.through.objects.filter(household_id__in=ids).values_list(
        "household_id", "povertycause_id"
    ):
        causes.setdefault(household, []).append(cause)
    for row in rows:
        row["county"] = row["village_id"][:6]
        row["other_causes"] = causes.get(row["id"], [])
        row["members"] = members.get(row["id"], [])
    more = page * size < count
    return JsonResponse({
        "count": count,
        "next": f"?page={page + 1}" if more else None,
        "previous": f"?page={page - 1}" if page > 1 else None,
        "results": rows,
    })
