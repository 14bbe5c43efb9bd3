"""The warnings of a return to poverty (返贫风险, docs/return-risks.md) as a dashboard page: the counts
per county and reason, the warnings with their reasons, narrowed by county, reason and state, each
table exportable (`?export=<table>`). The warnings are those of the households the user sees
(workflows.risk_selectors.risks_visible_to); 重新核算 (a POST) runs the rules again as a job, for whoever
may (the bureau for the city or a county, a county's clerk for the county)."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import HttpResponseRedirect
from django.urls import reverse

from common.admin import refusal_messages
from common.refusals import Refused
from households.access import households_writable_by
from households.models import County
from workflows.risk_models import REASON_FIELDS, RiskReason, RiskState
from workflows.risk_selectors import risk_counts, risks_listed, risks_visible_to
from workflows.risk_services import return_risks_job_start

from ..forms import DashboardFilter
from ..tables import Table
from .pages import InvalidFilter, dashboard_page, respond

ROWS_SHOWN = 1000  # the page; the export holds them all
REASONS = {code: str(RiskReason(code).label) for code in REASON_FIELDS}


class RiskFilter(DashboardFilter):
    reason = forms.ChoiceField(label="风险原因", required=False, choices=[("", "全部"), *RiskReason.choices])
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *RiskState.choices])

    def __init__(self, data, *, user):
        super().__init__(data, user=user, fields=("county", "reason", "state"))
        if "state" not in self.data:
            self.initial["state"] = RiskState.OPEN

    def clean_reason(self) -> str | None:
        return self.cleaned_data["reason"] or None

    def clean_state(self) -> str | None:
        # Open warnings unless asked otherwise: what waits on the clerk; 全部 (state=) all of them.
        if "state" not in self.data:
            return RiskState.OPEN
        return self.cleaned_data["state"] or None


@dashboard_page
def return_risks(request):
    form = RiskFilter(request.GET, user=request.user)
    if not form.is_valid():
        raise InvalidFilter(form)
    county = form.cleaned_data["county"]
    if request.method == "POST":
        return _refresh(request, county)
    risks = risks_listed(user=request.user, county=county, reason=form.cleaned_data["reason"],
                         state=form.cleaned_data["state"]).annotate(follow_up_count=Count("follow_ups"))
    names = dict(County.objects.values_list("code", "name"))
    writable = set(households_writable_by(request.user).filter(pk__in=risks.values("household_id"))
                   .values_list("pk", flat=True))
    rows = [_row(risk, names, risk.household_id in writable) for risk in risks]
    count_columns = {"county": "县(市、区)", "total": "预警户数", **REASONS}
    query = {k: v for k, v in request.GET.items() if k not in ("county", "reason", "export")}
    count_rows = [{"county": names.get(c["county"]), "total": c["total"],
                   "total_url": "?" + urlencode({**query, "county": c["county"]}),
                   **c["reasons"],
                   **{f"{code}_url": "?" + urlencode({**query, "county": c["county"], "reason": code})
                      for code in REASON_FIELDS if c["reasons"][code]}}
                  for c in risk_counts(risks)]
    columns = {"county": "县(市、区)", "village": "村", "household": "户编号", "reasons": "风险原因", "details": "风险说明",
               "raised_on": "预警日期", "state": "状态", "follow_ups": "跟进"}
    page_tables = [
        Table("counts", "各县(市、区)返贫风险预警户数", count_columns, count_rows, wide=True,
              note="一户有几项原因，在每项原因下各计一次；数字打开该县、该原因的预警。"),
        Table("risks", "返贫风险预警", columns, rows, shown=ROWS_SHOWN,
              note="已脱贫户：最近一年人均纯收入低于当年贫困线或高出不足设置的比例，或较上年下降超过设置的比例；"
                   "近十二个月内有成员新患长期慢性病、大病或残疾；近十二个月内唯一的劳动力死亡或迁出。"
                   "本县录入员点“跟进”登记落实的措施、走访，或排除风险（须填理由）。"),
    ]
    last = risks_visible_to(request.user).aggregate(last=Max("refreshed_on"))["last"]
    context = {"form": form, "total": len(rows), "last_refreshed": last}
    return respond(request, "dashboard/return_risks.html", context, page_tables)


def _row(risk, names: dict[str, str], may_follow_up: bool) -> dict:
    household = risk.household
    row = {"county": names.get(household.village.township.county_id), "village": household.village.name,
           "household": household.number, "household_url": reverse("dashboard:household", args=[household.pk]),
           "reasons": "、".join(risk.reason_labels()),
           "details": "；".join(risk.details.get(code, "") for code in risk.reasons),
           "raised_on": risk.raised_on, "state": risk.get_state_display(),
           "follow_ups": f"{risk.follow_up_count} 条" if risk.follow_up_count else ""}
    if risk.return_record_id:
        row["state"] = f"{row['state']}（{risk.return_record.year}年返贫记录）"
    if risk.follow_up_count:
        row["follow_ups_url"] = reverse("admin:workflows_returnrisk_change", args=[risk.pk])
    if may_follow_up and risk.state == RiskState.OPEN:
        row["follow_ups"] = f"{row['follow_ups']} 跟进…".strip()
        row["follow_ups_url"] = f"{reverse('admin:workflows_riskfollowup_add')}?risk={risk.pk}"
    return row


def _refresh(request, county: str | None):
    try:
        job = return_risks_job_start(actor=request.user, county=county)
    except (PermissionDenied, ValidationError) as e:
        messages.error(request, "未核算：" + "；".join(refusal_messages(e) if isinstance(e, (Refused, ValidationError))
                                                    else [str(e)]))
    else:
        messages.success(request, f"已提交返贫风险核算（{job.get_state_display()}）；完成后刷新本页查看。")
    return HttpResponseRedirect(request.get_full_path())
