"""The year-end close's doors besides the API (issue 19): the bureau's pages and the admin translate
the services' answers, take a step only as the services allow, and write nothing when refused; the
data-quality page shows each finding's explanation and counts the explained apart."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from households.models import FindingExplanation, YearClose
from plans.close_selectors import close_findings
from plans.closes import close_submit, finding_explain
from tests.conftest import DATIAN, NINGHUA
from tests.dashboard.conftest import shown_rows, shown_table

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboard:close", args=[f"{NINGHUA}-2016"])
ADMIN_LIST = reverse("admin:households_yearclose_changelist")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def explain_all(actor, year=2016):
    for f in close_findings(county=NINGHUA, year=year):
        finding_explain(actor=actor, check_code=f.check, county=NINGHUA, year=year, target=f.target, reason="已核实")


@pytest.fixture
def submitted(registry, ninghua_clerk):
    explain_all(ninghua_clerk)
    return close_submit(actor=ninghua_clerk, county=NINGHUA, year=2016)


# ---------------------------------------------------------------- the bureau's pages


def test_the_list_shows_every_county_year_the_user_sees_with_its_state(registry, submitted, ninghua_clerk,
                                                                        city_reviewer):
    rows = shown_table(logged_in(ninghua_clerk).get(reverse("dashboard:closes")), "closes")[1:]
    assert [(r[0], r[1], r[2]) for r in rows] == [("宁化县", str(y), "已提交" if y == 2016 else "未提交")
                                                  for y in (2015, 2016, 2017, 2018)]
    assert rows[1][3].startswith("clerk_ninghua ")
    assert len(shown_table(logged_in(city_reviewer).get(reverse("dashboard:closes"), {"year": 2016}), "closes")) == 13


def test_the_clerk_submits_on_the_page_once_the_findings_are_explained(registry, ninghua_clerk):
    client = logged_in(ninghua_clerk)
    page = client.get(PAGE).content.decode()
    assert 'value="submit"' in page and 'value="accept"' not in page
    response = client.post(PAGE, {"action": "submit"}, follow=True)
    assert "既未解决也未说明" in said(response) and not YearClose.objects.exists()
    explain_all(ninghua_clerk)
    response = client.post(PAGE, {"action": "submit"}, follow=True)
    assert "宁化县2016年度：已提交" in said(response)
    assert YearClose.objects.get().state == "submitted"
    # Accepting is the reviewer's: the page offers it the clerk not, and refuses it when posted.
    response = client.post(PAGE, {"action": "accept"}, follow=True)
    assert "只有市农业局（农办）审核员" in said(response) and YearClose.objects.get().state == "submitted"


def test_the_reviewer_sends_back_with_a_reason_and_accepts_on_the_page(submitted, city_reviewer):
    client = logged_in(city_reviewer)
    page = client.get(PAGE).content.decode()
    assert 'value="accept"' in page and 'value="send_back"' in page and 'value="submit"' not in page
    response = client.post(PAGE, {"action": "send_back", "reason": ""}, follow=True)
    assert "退回须说明原因" in said(response) and YearClose.objects.get().state == "submitted"
    client.post(PAGE, {"action": "send_back", "reason": "人数不符"})
    assert YearClose.objects.get().state == "sent_back"
    steps = shown_table(client.get(PAGE), "steps")[1:]
    assert [(s[0], s[2]) for s in steps] == [("已提交", "—"), ("已退回", "人数不符")]


def test_a_county_the_user_does_not_see_has_no_close_page(registry, datian_clerk):
    assert logged_in(datian_clerk).get(PAGE).status_code == 404
    assert logged_in(datian_clerk).post(PAGE, {"action": "submit"}).status_code == 404
    assert logged_in(datian_clerk).get(reverse("dashboard:close", args=[f"{DATIAN}-2014"])).status_code == 404


# ---------------------------------------------------------------- the admin


def test_the_reviewer_accepts_and_reopens_with_a_reason_in_the_admin(submitted, city_reviewer):
    client = logged_in(city_reviewer)
    client.post(ADMIN_LIST, {"action": "accept_closes", ACTION_CHECKBOX_NAME: [submitted.pk]})
    close = YearClose.objects.get()
    assert close.state == "accepted" and len(close.figures_sha256) == 64
    # The figures are shown on the (read-only) page.
    page = client.get(reverse("admin:households_yearclose_change", args=[close.pk])).content.decode()
    assert close.figures_sha256 in page and "&quot;county&quot;" in page
    # Reopening asks for the reason first; nothing changes until it is given.
    response = client.post(ADMIN_LIST, {"action": "reopen_closes", ACTION_CHECKBOX_NAME: [close.pk]})
    assert response.status_code == 200 and "原因" in response.content.decode()
    assert YearClose.objects.get().state == "accepted"
    client.post(ADMIN_LIST, {"action": "reopen_closes", ACTION_CHECKBOX_NAME: [close.pk], "reason": "漏报一户"})
    assert (YearClose.objects.get().state, YearClose.objects.get().reason) == ("reopened", "漏报一户")


def test_the_clerk_cannot_accept_in_the_admin(submitted, ninghua_clerk):
    response = logged_in(ninghua_clerk).post(ADMIN_LIST, {"action": "accept_closes",
                                                         ACTION_CHECKBOX_NAME: [submitted.pk]}, follow=True)
    assert "只有市农业局（农办）审核员可以锁定年度数据" in said(response)
    assert YearClose.objects.get().state == "submitted"


def test_an_explanation_is_added_from_the_filled_in_form(registry, ninghua_clerk, datian_clerk):
    add = reverse("admin:households_findingexplanation_add")
    fields = {"check_code": "illness_without_ill_member", "county": NINGHUA, "year": 2016,
              "target": f"household:{registry.a.pk}"}
    client = logged_in(ninghua_clerk)
    assert client.get(add, fields).context["adminform"].form.initial["target"] == fields["target"]
    client.post(add, {**fields, "reason": "户主已治愈"})
    explanation = FindingExplanation.objects.get()
    assert (explanation.explained_by, explanation.household, explanation.reason) == (
        ninghua_clerk, registry.a, "户主已治愈")
    # 大田's clerk is not offered 宁化 as the county: the form refuses it, nothing written.
    response = logged_in(datian_clerk).post(add, {**fields, "year": 2017, "reason": "说明"})
    assert response.status_code == 200 and "county" in response.context["adminform"].form.errors
    assert FindingExplanation.objects.count() == 1


# ---------------------------------------------------------------- the data-quality page


def test_the_audit_page_shows_explanations_beside_the_findings_and_counts_them_apart(registry, ninghua_clerk):
    finding_explain(actor=ninghua_clerk, check_code="illness_without_ill_member", county=NINGHUA, year=2016,
                    target=f"household:{registry.a.pk}", reason="户主已治愈")
    response = logged_in(ninghua_clerk).get(reverse("dashboard:audit"), {"county": NINGHUA})
    header, *rows = shown_table(response, "findings")
    ill = next(r for r in rows if r[1] == "因病致贫但无患病成员")
    assert ill[header.index("说明")] == "2016年度：户主已治愈"
    others = [r[header.index("说明")] for r in rows if r is not ill]
    assert others and all(text == "说明…" for text in others)  # a link to the admin's filled-in form
    assert shown_rows(response, "counts")["宁化县"]["其中已说明"] == "1"
    assert "其中已说明 <strong>1</strong> 条" in response.content.decode()
