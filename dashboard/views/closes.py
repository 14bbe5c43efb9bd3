"""The year-end close (年度数据锁定, issue 19) for the bureau: every county × year with its state
and who acted when (closes), and one county-year with its steps and the steps the user may take
(close). The page only translates: plans/closes.py decides who may take which step and why not."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from common.refusals import Refused
from households.access import counties_visible_to
from plans import close_selectors as selectors
from plans import closes as services
from plans.access import may_review_closes, may_submit_close
from plans.exports import close_response

from ..tables import Label, Table
from .pages import dashboard_page, read_filters, respond

STATE_CSS = {"open": "", "submitted": "status-not_yet_due", "accepted": "status-met", "sent_back": "status-behind",
             "reopened": "status-behind"}
# The steps a page offers, in the order shown: (action, button label, state it starts from, reason needed).
STEPS = [("submit", "提交", services.SUBMITTABLE, False), ("accept", "锁定", ("submitted",), False),
         ("send_back", "退回", ("submitted",), True), ("reopen", "重新打开", ("accepted",), True)]
SERVICES = {"submit": services.close_submit, "accept": services.close_accept, "send_back": services.close_send_back,
            "reopen": services.close_reopen}


def _acted(user, moment) -> str:
    """Who acted (the system when nobody is named) and when, in local time; blank before any step."""
    if moment is None:
        return ""
    who = (user.get_full_name() or user.get_username()) if user else "系统"
    return f"{who} {timezone.localtime(moment):%Y-%m-%d %H:%M}"


@dashboard_page
def closes(request):
    form = read_filters(request, "year", "county")
    rows = []
    for c in selectors.closes_for(request.user, **{k: v for k, v in form.cleaned_data.items() if v}):
        url = reverse("dashboard:close", args=[selectors.close_key(c.county_id, c.year)])
        rows.append({
            "county": c.county.name, "county_url": url, "year": c.year, "year_url": url,
            "state": Label(c.get_state_display(), STATE_CSS[c.state]),
            "submitted": _acted(c.submitted_by, c.submitted_at), "accepted": _acted(c.accepted_by, c.accepted_at),
            "acted": _acted(c.acted_by, c.acted_at), "reason": c.reason,
            "sha256": c.figures_sha256[:16],
        })
    columns = {"county": "县(市、区)", "year": "年度", "state": "状态", "submitted": "提交", "accepted": "锁定",
               "acted": "最近办理", "reason": "退回或重新打开的原因", "sha256": "锁定数据SHA-256（前16位）"}
    table = Table("closes", "各县(市、区)各年度数据锁定情况", columns, rows,
                  note="点县名或年度查看该年度的办理过程并办理：本县录入员在年度结束、核查问题都已解决或说明后提交；"
                       "市农业局（农办）审核员锁定、退回或重新打开。锁定后该县该年度的数据不能再改动。")
    return respond(request, "dashboard/closes.html", {"form": form}, [table])


@dashboard_page
def close(request, key):
    """GET: the county-year, its steps and the steps the user may take; POST `action` (and `reason`):
    take one, then back to the page with the service's answer (or its reason for refusing)."""
    parsed = selectors.parse_close_key(key)
    county = counties_visible_to(request.user).filter(pk=parsed[0]).first() if parsed else None
    if county is None or parsed[1] not in selectors.CLOSE_YEARS:
        raise Http404("没有该县(市、区)该年度的年度数据锁定")
    year = parsed[1]
    if request.method == "POST":
        _take_step(request, county, year)
        return HttpResponseRedirect(request.path)
    the_close = selectors.close_of(county, year)
    if request.GET.get("download") == "figures" and the_close.figures:  # the accepted figures, JSON and hash
        return close_response(request, the_close, door="page")
    steps = [{"state": s.get_state_display(), "acted": _acted(s.acted_by, s.acted_at),
              "reason": s.reason, "sha256": s.figures_sha256} for s in selectors.close_steps(the_close)]
    table = Table("steps", "办理过程", {"state": "办理后状态", "acted": "办理人、时间", "reason": "原因",
                                      "sha256": "锁定数据SHA-256"}, steps)
    reviewer, clerk = may_review_closes(request.user), may_submit_close(request.user, county.code)
    offered = [(action, label, needs_reason) for action, label, start, needs_reason in STEPS
               if the_close.state in start and (clerk if action == "submit" else reviewer)]
    crumbs = [("年度数据锁定", reverse("dashboard:closes")), (f"{county.name}{year}年度", "")]
    context = {"close": the_close, "offered": offered, "crumbs": crumbs,
               "audit_url": f"{reverse('dashboard:audit')}?county={county.code}"}
    return respond(request, "dashboard/close.html", context, [table])


def _take_step(request, county, year) -> None:
    action = request.POST.get("action")
    if action not in SERVICES:
        messages.error(request, "未知的办理事项")
        return
    extra = {"reason": request.POST.get("reason", "")} if action in ("send_back", "reopen") else {}
    try:
        done = SERVICES[action](actor=request.user, county=county, year=year, **extra)
    except Refused as e:
        messages.error(request, e.message)
    except ValidationError as e:
        messages.error(request, "；".join(m for ms in e.message_dict.values() for m in ms))
    else:
        messages.success(request, f"{county.name}{year}年度：{done.get_state_display()}")
