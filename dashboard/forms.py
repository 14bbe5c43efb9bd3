from django import forms

from households.access import counties_visible_to
from plans.models import PLAN_YEARS


class DashboardFilter(forms.Form):
    """The GET filters every page keeps in its URL, so a view can be bookmarked and sent. A county
    the user may not see is not a choice: asking for it is a 400 naming the field."""

    year = forms.TypedChoiceField(
        label="年度", required=False, coerce=int, empty_value=None,
        choices=[("", "2015–2018年"), *((y, f"{y}年") for y in PLAN_YEARS)],
    )
    county = forms.ChoiceField(label="县(市、区)", required=False)
    # Issue 19: an accepted county-year (年度数据锁定) shown with the figures its close keeps.
    figures = forms.ChoiceField(label="数据", required=False,
                                choices=[("live", "实时计算"), ("close", "已锁定年度用锁定时的数据")])

    def __init__(self, data, *, user, fields=("year", "county"), counties: list[tuple[str, str]] | None = None,
                 years: range | None = None):
        """`counties` (code, name) replaces the user's counties as the choices, for a page whose
        scope is not theirs (the projects: a channel department reads its project in every county);
        `years` the plan's four years, for a page whose records run longer."""
        super().__init__(data)
        for name in set(self.fields) - set(fields):
            del self.fields[name]
        if years is not None and "year" in self.fields:
            self.fields["year"].choices = [("", "全部年度"), *((y, f"{y}年") for y in years)]
        if "county" in self.fields:
            if counties is None:
                counties = counties_visible_to(user).values_list("code", "name")  # a query
            self.fields["county"].choices = [("", "全部"), *counties]

    def clean_county(self) -> str | None:
        return self.cleaned_data["county"] or None

    def clean_figures(self) -> str:
        return self.cleaned_data["figures"] or "live"
