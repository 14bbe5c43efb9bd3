"""The helpers' page (帮扶责任人, issue 20): the four reports of households/helper_tables.py as tables,
narrowed by county, each exportable (`?export=<table>`, logged like every page's export). The
rows come from households/helper_selectors.py, scoped there."""

from django.conf import settings
from django.urls import reverse

from households.helper_tables import REPORTS, report_rows

from ..tables import Table
from .pages import dashboard_page, read_filters, respond

# The whole city's lists run to thousands of households: the page shows the first ones, the export all.
ROWS_SHOWN = 500


@dashboard_page
def helpers(request):
    form = read_filters(request, "county")
    county = form.cleaned_data["county"]
    page_tables = []
    for code, report in REPORTS.items():
        rows = report_rows(code, user=request.user, county=county)
        if "number" in report.columns:  # a household: its page
            for row in rows:
                row["number_url"] = reverse("dashboard:household", args=[row["id"]])
        page_tables.append(Table(code.replace("-", "_"), report.title, report.columns, rows, note=report.note,
                                 shown=ROWS_SHOWN))
    context = {"form": form, "ceiling": settings.HELPER_HOUSEHOLD_CEILING, "days": settings.HELPER_VISIT_DAYS}
    return respond(request, "dashboard/helpers.html", context, page_tables)
