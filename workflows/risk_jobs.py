"""The rules of a return to poverty run as a job (jobs/kinds.py), registered by WorkflowsConfig: the
page's 重新核算 and `return_risks` without --now hand the whole city's run to a worker."""

import datetime

from households.jobs import actor_of
from jobs.kinds import Outcome, job_kind

from .risk_services import RISKS, return_risks_refresh


def summary_of(counts: dict[str, int]) -> str:
    return (f"风险户 {counts['flagged']} 户：新预警 {counts['raised']} 条，更新 {counts['kept']} 条，"
            f"解除 {counts['cleared']} 条")


@job_kind(RISKS, "返贫风险核算")
def run_return_risks(job, progress) -> Outcome:
    on = job.params.get("on")
    counts = return_risks_refresh(actor=actor_of(job), county=job.params.get("county"),
                                  on=datetime.date.fromisoformat(on) if on else None, progress=progress)
    return Outcome(summary=summary_of(counts), data=counts)
