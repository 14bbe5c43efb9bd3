"""The printed documents' long work, registered as a kind of job (jobs/kinds.py) by DocumentsConfig:
every 帮扶明白卡 of a village in one PDF, run as the job's user would print them."""

from django.http import Http404

from households.jobs import actor_of
from jobs.kinds import Outcome, job_kind
from jobs.runner import JobFailed

from . import services


@job_kind(services.VILLAGE_CARDS, "打印全村帮扶明白卡")
def run_village_cards(job, progress) -> Outcome:
    try:
        printed = services.village_cards(actor=actor_of(job), village=job.params["village"],
                                         door=job.params.get("door", "api"), progress=progress)
    except Http404 as e:  # the village left the user's scope since the job was started
        raise JobFailed(str(e)) from None
    return Outcome(summary=f"已生成{printed.rows}户的帮扶明白卡", data={"households": printed.rows},
                   file=(printed.name, printed.content))
