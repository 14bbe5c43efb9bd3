"""The dashboards' charts as data: plain dicts a page hands to static/dashboard/charts.js through
`json_script`. Each has a `type` (bars, progress, map) the script knows how to draw. No queries.

A bar or map item with a `url` is a drill-down link: clicking it opens that page."""

from plans.selectors import CITY_CODE, Progress, ProgressRow

from .tables import Link


def bars(categories: list, series: dict[str, list], *, unit: str, urls: list | None = None, stack=False) -> dict:
    """One frame of bars: categories along the axis, one series per entry of `series`."""
    return {"type": "bars", "categories": categories, "unit": unit, "urls": urls, "stack": stack,
            "frames": [{"label": "", "series": [{"name": name, "data": data} for name, data in series.items()]}]}


def quota_bars(rows: list[ProgressRow], *, link: Link) -> dict:
    """Per county, a year's quota against its net exits; a timeline steps through the years shown."""
    counties = list(dict.fromkeys((r.county, r.county_name) for r in rows))
    by_key = {(r.county, r.year): r for r in rows}
    frames = [
        {"label": f"{year}年", "series": [
            {"name": "减贫任务", "data": [by_key[(code, year)].quota for code, _ in counties]},
            {"name": "净减贫", "data": [by_key[(code, year)].net for code, _ in counties]},
        ]}
        for year in sorted({r.year for r in rows})
    ]
    return {"type": "bars", "categories": [name for _, name in counties], "unit": "人", "stack": False,
            "urls": [link("dashboard:county", code) for code, _ in counties], "frames": frames}


def cumulative_bars(progress: Progress, *, link: Link) -> dict:
    """2015–2018 net exits as a percentage of the population still poor at the end of 2014."""
    rows = progress.cumulative + ([progress.city_cumulative] if progress.city_cumulative else [])
    return {
        "type": "progress", "unit": "%",
        "categories": [r.county_name for r in rows],
        "values": [r.percent for r in rows],
        "urls": [None if r.county == CITY_CODE else link("dashboard:county", r.county) for r in rows],
    }


def county_map(cumulative: list[ProgressRow], *, link: Link) -> dict:
    """The counties coloured by cumulative progress. Feature names of the vendored map are our
    county names (static/vendor/README.md); counties the user may not see stay grey."""
    return {
        "type": "map", "map": "三明", "label": "2015–2018年累计完成率",
        "items": [
            {"name": r.county_name, "value": r.percent, "net": r.net, "remaining": r.quota,
             "url": link("dashboard:county", r.county)}
            for r in cumulative
        ],
    }


def year_bars(rows: list[ProgressRow]) -> dict:
    """One county's quota against net exits, year by year."""
    return bars([f"{r.year}年" for r in rows], {"减贫任务": [r.quota for r in rows], "净减贫": [r.net for r in rows]},
                unit="人")


def place_bars(rows: list[dict], *, level: str, link: Link) -> dict:
    """Exits, returns and net per township or village, each bar a link one level down."""
    return bars(
        [r["place"].name for r in rows],
        {"脱贫人数": [r["exited"] for r in rows], "返贫人数": [r["returned"] for r in rows],
         "净减贫人数": [r["net"] for r in rows]},
        unit="人", urls=[link(f"dashboard:{level}", r["place"].code) for r in rows],
    )


def breakdown_charts(data: dict) -> dict:
    measures_years = sorted({m["year"] for m in data["measures"]})
    channels = list(dict.fromkeys(m["name"] for m in data["measures"]))
    amounts = {(m["name"], m["year"]): float(m["amount"]) for m in data["measures"]}
    counted = {
        key: bars([r["label"] for r in data[key]],
                  {"户数": [r["households"] for r in data[key]], "人数": [r["persons"] for r in data[key]]}, unit="")
        for key in ("category", "cause", "identified_year")
    }
    return {
        **counted,
        "measures": bars(channels, {f"{y}年": [amounts.get((c, y), 0) for c in channels] for y in measures_years},
                         unit="元", stack=True),
        "events": bars([f"{e['year']}年" for e in data["events"]],
                       {"脱贫人数": [e["exited"] for e in data["events"]],
                        "返贫人数": [e["returned"] for e in data["events"]]}, unit="人"),
    }


# The status colours of static/dashboard/dashboard.css, for charts that count by status.
STATUS_COLORS = {"met": "#3a9a5b", "behind": "#e08a2c", "not_yet_due": "#9aa5b1", "no_record": "#b8413c"}


def stage_bars(summary_rows: list[dict], labels: dict[str, str]) -> dict:
    """Per income stage, its villages by status, stacked."""
    chart = bars([f"{r['year']}年" for r in summary_rows],
                 {label: [r[code] for r in summary_rows] for code, label in labels.items()}, unit="个", stack=True)
    return chart | {"colors": [STATUS_COLORS[code] for code in labels]}


def project_charts(data: dict) -> dict:
    """The projects' page: the poor employed at their doorstep per county, a year a stack; the
    measures, pilots and workshops of each of the eight models."""
    employment = data["employment"]
    counties = list(dict.fromkeys(r["county_name"] for r in employment))
    years = sorted({r["year"] for r in employment})
    employed = {(r["county_name"], r["year"]): r["employed"] for r in employment}
    models = data["models"]
    return {
        "employment": bars(counties, {f"{y}年": [employed.get((c, y), 0) for c in counties] for y in years},
                           unit="人", stack=True),
        # Short names (no common tail, quotes or remark) fit eight labels under the bars.
        "models": bars([m["name"].split("（")[0].replace("扶贫模式", "").replace("“", "").replace("”", "")
                        for m in models],
                       {"帮扶措施": [m["measures"] for m in models], "试点示范": [m["pilots"] for m in models],
                        "就业扶贫车间": [m["workshops"] for m in models]}, unit="个"),
    }
