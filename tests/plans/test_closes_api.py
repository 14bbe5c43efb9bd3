"""/api/v1/closes/ and /api/v1/finding-explanations/ (issue 19): each county × year by its key, the
steps it took, the four actions, each refusal with its reason and nothing written; the data-quality
findings carry their explanation."""

import pytest

from households.models import FindingExplanation, YearClose
from plans.close_selectors import close_findings
from tests.conftest import NINGHUA, api_as

pytestmark = pytest.mark.django_db
URL = "/api/v1/closes/"


def explain_all(client, year=2016):
    for f in close_findings(county=NINGHUA, year=year):
        response = client.post("/api/v1/finding-explanations/", {
            "check_code": f.check, "county": NINGHUA, "year": year, "target": f.target, "reason": "已核实"})
        assert response.status_code == 201, response.json()


def test_the_list_holds_every_county_year_with_its_state(registry, ninghua_clerk, city_reviewer):
    body = api_as(ninghua_clerk).get(URL).json()
    assert [(c["id"], c["state"], c["state_label"]) for c in body] == [
        (f"{NINGHUA}-{y}", "open", "未提交") for y in (2015, 2016, 2017, 2018)]
    assert len(api_as(city_reviewer).get(URL, {"year": 2016}).json()) == 12
    assert api_as(city_reviewer).get(URL, {"yaer": 2016}).status_code == 400


def test_clerk_submits_reviewer_accepts_and_the_detail_shows_each_step(registry, ninghua_clerk, city_reviewer):
    clerk, reviewer = api_as(ninghua_clerk), api_as(city_reviewer)
    explain_all(clerk)
    response = clerk.post(f"{URL}{NINGHUA}-2016/submit/")
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    response = reviewer.post(f"{URL}{NINGHUA}-2016/accept/")
    body = response.json()
    assert body["state"] == "accepted" and len(body["figures_sha256"]) == 64
    assert body["figures"] == YearClose.objects.get().figures
    assert [(s["state"], s["acted_by"]) for s in body["steps"]] == [
        ("submitted", "clerk_ninghua"), ("accepted", "reviewer")]
    assert body["steps"][-1]["figures_sha256"] == body["figures_sha256"]


def test_bad_input_is_refused_with_its_reason_and_nothing_written(registry, ninghua_clerk, datian_clerk,
                                                                  city_reviewer):
    clerk, reviewer = api_as(ninghua_clerk), api_as(city_reviewer)
    # Unexplained findings.
    response = clerk.post(f"{URL}{NINGHUA}-2016/submit/")
    assert response.status_code == 400 and "既未解决也未说明" in response.json()["year"][0]
    # (A year that has not ended: every plan year has, today; tests/plans/test_closes.py sets the day.)
    explain_all(clerk)
    # Another county's clerk cannot see 宁化, the reviewer may not submit it.
    assert api_as(datian_clerk).post(f"{URL}{NINGHUA}-2016/submit/").status_code == 404
    response = reviewer.post(f"{URL}{NINGHUA}-2016/submit/")
    assert response.status_code == 403 and "宁化县的县扶贫办录入员" in response.json()["detail"]
    assert not YearClose.objects.exists()
    clerk.post(f"{URL}{NINGHUA}-2016/submit/")
    # Accepting or sending back as the clerk; sending back without a reason.
    assert clerk.post(f"{URL}{NINGHUA}-2016/accept/").status_code == 403
    assert clerk.post(f"{URL}{NINGHUA}-2016/send_back/", {"reason": "原因"}).status_code == 403
    response = reviewer.post(f"{URL}{NINGHUA}-2016/send_back/", {"reason": ""})
    assert response.status_code == 400 and "reason" in response.json()
    reviewer.post(f"{URL}{NINGHUA}-2016/accept/")
    response = reviewer.post(f"{URL}{NINGHUA}-2016/reopen/", {})
    assert response.status_code == 400 and "reason" in response.json()
    assert YearClose.objects.get().state == "accepted"
    response = reviewer.post(f"{URL}{NINGHUA}-2016/reopen/", {"reason": "省里抽查发现漏报"})
    assert response.json()["state"] == "reopened" and response.json()["reason"] == "省里抽查发现漏报"


def test_unknown_keys_are_not_found(registry, city_reviewer):
    reviewer = api_as(city_reviewer)
    assert reviewer.get(f"{URL}{NINGHUA}-2014/").status_code == 404
    assert reviewer.get(f"{URL}999999-2016/").status_code == 404
    assert reviewer.get(f"{URL}{NINGHUA}-2016/").json()["steps"] == []


def test_explanations_are_listed_to_their_county_and_withdrawn(registry, ninghua_clerk, datian_clerk):
    clerk = api_as(ninghua_clerk)
    explain_all(clerk)
    mine = clerk.get("/api/v1/finding-explanations/", {"year": 2016}).json()
    assert mine["count"] == FindingExplanation.objects.count() > 0
    assert api_as(datian_clerk).get("/api/v1/finding-explanations/").json()["count"] == 0
    first = mine["results"][0]["id"]
    assert api_as(datian_clerk).delete(f"/api/v1/finding-explanations/{first}/").status_code == 404
    assert clerk.delete(f"/api/v1/finding-explanations/{first}/").status_code == 204
    assert not FindingExplanation.objects.filter(pk=first).exists()
    response = api_as(datian_clerk).post("/api/v1/finding-explanations/", {
        "check_code": "head_count", "county": NINGHUA, "year": 2016, "target": f"household:{registry.a.pk}",
        "reason": "说明"})
    assert response.status_code == 403


def test_audit_findings_carry_their_explanation_and_the_counts_count_them_apart(registry, ninghua_clerk):
    clerk = api_as(ninghua_clerk)
    target = f"household:{registry.a.pk}"
    clerk.post("/api/v1/finding-explanations/", {"check_code": "illness_without_ill_member", "county": NINGHUA,
                                                 "year": 2016, "target": target, "reason": "户主已治愈"})
    findings = clerk.get("/api/v1/audit/findings/", {"county": NINGHUA}).json()["results"]
    ill = next(f for f in findings if f["check"] == "illness_without_ill_member")
    assert (ill["target"], ill["year"], ill["explanation"]["reason"], ill["explanation"]["year"]) == (
        target, None, "户主已治愈", 2016)
    assert all(f["explanation"] is None for f in findings if f is not ill)
    counts = clerk.get("/api/v1/audit/findings/counts/", {"county": NINGHUA}).json()
    assert counts[0]["explained"] == 1 and counts[0]["total"] == len(findings)
