"""The bureau's dashboards (issue 8): the city at a glance, then a county, a township, a village
and a household. Each view reads through the selectors, shapes the result into tables and charts,
and answers `?export=<table>` with that table as Excel, filters and all (pages.respond)."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from documents import services as documents
from households import access
from households.models import FIRST_YEAR, LAST_YEAR, Township, Village
from households.selectors import household_helpers, household_history
from plans import selectors as plan_selectors
from plans.checks import run_checks
from projects import selectors as project_selectors
from workflows.selectors import pending_exits

from .. import charts, project_tables, selectors, tables
from .pages import crumbs_to, dashboard_page, linker, read_filters, respond

# ---------------------------------------------------------------- the city


def shown_figures(progress, population, page_tables, figures: str) -> str:
    """Issue 19: with `figures=close`, which county-years the page shows as their accepted close
    keeps them, said above the page and under the two tables that hold them; "" with live figures."""
    if figures != "close":
        return ""
    closed = sorted({(r.year, r.county_name) for r in progress.years if r.figures == "close"}
                    | {(y, r.county_name) for r in population for y in r.closed})
    if not closed:
        return "显示锁定数据：所选范围内没有已锁定的县·年度，以下均为实时计算的数据。"
    note = ("显示锁定数据：" + "、".join(f"{name}{year}年" for year, name in closed)
            + "为年度数据锁定时保存的数据；其余年度、累计与全市合计中的其余部分，以及收入、乡镇等其他表格为实时计算的数据。")
    for table in page_tables:
        if table.name in ("progress", "population"):
            table.note = " ".join(n for n in (table.note, note) if n)
    return note


@dashboard_page
def overview(request):
    form = read_filters(request, "year", "county", "figures")
    year, county, user = form.cleaned_data["year"], form.cleaned_data["county"], request.user
    figures = form.cleaned_data["figures"]
    progress = plan_selectors.progress(user=user, year=year, county=county, figures=figures)
    population = plan_selectors.population_by_year(counties=_counties(user, county), figures=figures)
    # The plan against itself only: the records' checks go over every record (a second or more at
    # 1,000,000 people) and are on the data-quality page (dashboard.views.work.audit).
    consistency = run_checks("consistency")
    link = linker(year, figures)
    page_tables = [
        tables.progress_table(progress, link=link,
                              pending=pending_exits(counties=access.counties_visible_to(user), year=year)),
        tables.findings_table("consistency", "计划一致性检查（计划自身）", consistency),
        tables.income_bands_table(plan_selectors.income_bands(counties=_counties(user, county), year=year),
                                  title="各县(市、区)贫困户人均纯收入与贫困线"),
        tables.population_table(population, title="各县(市、区)各年底建档立卡贫困人口", link=link),
    ]
    figures_note = shown_figures(progress, population, page_tables, figures)
    chart_data = {
        "map": charts.county_map(progress.cumulative, link=link),
        "quota": charts.quota_bars(progress.years, link=link),
        "cumulative": charts.cumulative_bars(progress, link=link),
    }
    return respond(request, "dashboard/overview.html",
                   {"form": form, "charts": chart_data, "progress": progress, "figures_note": figures_note,
                    "sees_whole_city": access.sees_whole_city(user)}, page_tables)


def _counties(user, county: str | None):
    counties = access.counties_visible_to(user)
    return counties.filter(pk=county) if county else counties


@dashboard_page
def breakdowns(request):
    form = read_filters(request, "year", "county")
    data = selectors.breakdowns(user=request.user, county=form.cleaned_data["county"], year=form.cleaned_data["year"])
    return respond(request, "dashboard/breakdowns.html", {"form": form, "charts": charts.breakdown_charts(data)},
                   tables.breakdown_tables(data))


@dashboard_page
def villages(request):
    # The income stages have their own years: the county is the only filter.
    form = read_filters(request, "county")
    data = selectors.flagged_villages(user=request.user, county=form.cleaned_data["county"])
    page_tables = tables.stage_tables(data)
    chart = charts.stage_bars(page_tables[0].rows, tables.STATUS_LABELS)
    return respond(request, "dashboard/villages.html",
                   {"form": form, "chart": chart, "poor_villages": data["poor_villages"],
                    "plan_poor_villages": data["plan_poor_villages"]},
                   page_tables)


@dashboard_page
def projects(request):
    """The five projects (三.(一)) and the eight models (四.3): each project's counts by county, its
    ledger (台账), and the models. The county filter offers the counties of any project the user
    reads (projects.selectors.project_scope)."""
    user = request.user
    scope = project_selectors.project_scope(user=user)
    # The projects' records run from the registry's first year to its last, not the plan's four.
    form = read_filters(request, "year", "county", counties=scope.choices, years=range(FIRST_YEAR, LAST_YEAR + 1))
    year, county = form.cleaned_data["year"], form.cleaned_data["county"]
    scope = scope.narrowed(county=county, year=year)
    data = project_selectors.project_summary(scope=scope)
    page = reverse("dashboard:projects")

    def county_link(code: str) -> str:
        return f"{page}?{urlencode({'county': code, **({'year': year} if year else {})})}"

    page_tables = project_tables.project_tables(data, link=linker(year), county_link=county_link)
    return respond(request, "dashboard/projects.html",
                   {"form": form, "charts": charts.project_charts(data), "county": county,
                    "county_page": county if county in scope.places else None}, page_tables)


# ---------------------------------------------------------------- drill-down


@dashboard_page
def county(request, code):
    place = get_object_or_404(access.counties_visible_to(request.user), code=code)
    form = read_filters(request, "year", "figures")
    year, figures = form.cleaned_data["year"], form.cleaned_data["figures"]
    link = linker(year, figures)
    progress = plan_selectors.progress(user=request.user, county=code, year=year, figures=figures)
    population = plan_selectors.population_by_year(counties=_counties(request.user, code), figures=figures)
    townships = selectors.place_rows(user=request.user, level="township", parent=code, year=year)
    page_tables = [
        tables.county_progress_table(progress, title=f"{place.name}减贫任务完成情况",
                                     pending=pending_exits(counties=[place], year=year)),
        tables.places_table("townships", f"{place.name}各乡镇", "township", townships, link=link),
        tables.income_bands_table(plan_selectors.income_bands(counties=_counties(request.user, code), year=year),
                                  title=f"{place.name}贫困户人均纯收入与贫困线"),
        tables.population_table(population, title=f"{place.name}各年底建档立卡贫困人口", link=link),
    ]
    figures_note = shown_figures(progress, population, page_tables, figures)
    if figures == "close":
        page_tables[0].columns["figures"] = "数据"
        for row, r in zip(page_tables[0].rows, [*progress.years, *progress.cumulative]):
            row["figures"] = plan_selectors.FIGURES_LABELS[r.figures]
    chart_data = {
        "years": charts.year_bars(progress.years),
        "townships": charts.place_bars(townships, level="township", link=link),
    }
    return respond(request, "dashboard/county.html",
                   {"form": form, "place": place, "charts": chart_data, "crumbs": crumbs_to(place, link=link),
                    "figures_note": figures_note}, page_tables)


@dashboard_page
def township(request, code):
    visible = access.counties_visible_to(request.user)
    place = get_object_or_404(Township.objects.select_related("county").filter(county__in=visible), code=code)
    form = read_filters(request, "year")
    year = form.cleaned_data["year"]
    link = linker(year)
    villages = selectors.place_rows(user=request.user, level="village", parent=code, year=year)
    page_tables = [tables.places_table("villages", f"{place.name}各村", "village", villages, link=link)]
    return respond(request, "dashboard/township.html",
                   {"form": form, "place": place, "chart": charts.place_bars(villages, level="village", link=link),
                    "crumbs": crumbs_to(place, link=link)}, page_tables)


@dashboard_page
def village(request, code):
    visible = access.counties_visible_to(request.user)
    place = get_object_or_404(Village.objects.select_related("township__county").filter(township__county__in=visible),
                              code=code)
    if request.method == "POST":  # 打印全村帮扶明白卡: a job, whose page shows its progress and offers the PDF
        job = documents.village_cards_job_start(actor=request.user, village=place.code, door="page")
        return HttpResponseRedirect(reverse("admin:jobs_job_change", args=[job.pk]))
    form = read_filters(request, "year")
    link = linker(form.cleaned_data["year"])
    page_tables = [
        tables.households_table(selectors.village_households(user=request.user, village=place), link=link),
        tables.incomes_table(selectors.village_incomes(place), title=f"{place.name}村集体自有收入"),
    ]
    return respond(request, "dashboard/village.html",
                   {"form": form, "place": place, "crumbs": crumbs_to(place, link=link)}, page_tables)


@dashboard_page
def household(request, pk):
    user = request.user
    found = selectors.household_for(user, pk)
    if found is None:
        raise Http404("没有这户，或不在您的查看范围内")
    records = selectors.household_records(found)
    show_id = access.id_display(user)
    helpers = household_helpers(found)
    current = helpers[-1] if helpers and helpers[-1].ended_on is None else None
    phone = access.helper_phone_display(user)(current.helper.phone, found.county_code) if current else ""
    page_tables = [
        tables.member_table(records["members"], show_id=show_id),
        tables.measure_table(records["measures"]),
        tables.event_table(records["exits"], records["returns"]),
        tables.household_incomes_table(records["incomes"]),
        tables.household_helpers_table(helpers),
        tables.history_table(household_history(found, show_id=show_id)),
    ]
    # A channel department sees the household, not its county's pages: no links it could not open.
    if selectors.county_visible(user, found.county_code):
        crumbs = crumbs_to(found.village, link=linker(None))
    else:
        crumbs = [("三明市", reverse("dashboard:overview"))]
    crumbs.append((found.number, ""))
    return respond(request, "dashboard/household.html",
                   {"household": found, "other_causes": records["other_causes"], "crumbs": crumbs,
                    "helper": current, "helper_phone": phone,
                    "may_open_admin": user.has_perm("households.view_household")}, page_tables)
