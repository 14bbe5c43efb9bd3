"""The bureau's pages: the registry's (registry.py) and the work on it (work.py: the in-tray and the
data-quality checks; closes.py: the year-end close; helpers.py: the helpers' reports; risks.py: the warnings of a
return to poverty), on what
every page shares (pages.py)."""

from .closes import close, closes
from .helpers import helpers
from .registry import breakdowns, county, household, overview, projects, township, village, villages
from .risks import return_risks
from .work import audit, in_tray

__all__ = ["breakdowns", "county", "household", "overview", "projects", "township", "village", "villages", "audit",
           "in_tray", "close", "closes", "helpers", "return_risks"]
