"""The kinds of long work. This app runs them and knows none: an app above registers each of its
kinds from its AppConfig.ready() (households: the workbook's import and export)."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Outcome:
    """How a job ended: a line for the user, what a page shows of it (plain JSON), and a file."""

    summary: str
    data: dict = field(default_factory=dict)
    file: tuple[str, bytes] | None = None  # (name, content)


@dataclass(frozen=True)
class Kind:
    code: str
    name: str  # in Chinese, as the user reads it
    run: Callable  # run(job, progress) -> Outcome; raises to fail
    template: str = ""  # the template that shows the outcome on the job's page
    # Its work only reads until its last step (an export, an audit): its reads may go to the replica
    # (common/replica.py), once it has replayed every write made before the job started.
    reads_replica: bool = False


KINDS: dict[str, Kind] = {}


def job_kind(code: str, name: str, *, template: str = "", reads_replica: bool = False):
    """Registers `run(job, progress) -> Outcome` as the work of jobs of kind `code`."""

    def register(run):
        KINDS[code] = Kind(code, name, run, template, reads_replica)
        return run

    return register
