"""The five projects (五项工程, plan 三.(一)) as records behind the relief measures: guarantee funds
and their loans, workshops and public-welfare posts, pilots, village education funds, skills
training. Each record of a person points to a relief measure of that person's household, so the
measure says what was done and the project says through what (the bureau sees "for whom").

Every rule lives twice, as in households/: a named database constraint and a clean() naming the
field. Writes go through projects/services.py. Each project's unit knows the channel of its
measures (`channel`) and the field that places it in its county (`place_field`): projects/access.py
decides by them.
"""

from .base import EDUCATION_CHANNEL, EMPLOYMENT_CHANNEL, LOAN_CHANNEL, TRAINING_CHANNEL, HouseholdLink
from .education import EducationFund, StudentAid
from .employment import Job, PostKind, PublicPost, Workshop
from .loans import GuaranteedLoan, GuaranteeFund, GuaranteeFundQuerySet
from .pilots import PILOT_RANGES, LinkType, Pilot, PilotKind, range_status
from .training import Training, TrainingCourse, TrainingInstitution

__all__ = [
    "EDUCATION_CHANNEL", "EMPLOYMENT_CHANNEL", "LOAN_CHANNEL", "TRAINING_CHANNEL", "HouseholdLink", "EducationFund",
    "StudentAid", "Job", "PostKind", "PublicPost", "Workshop", "GuaranteedLoan", "GuaranteeFund",
    "GuaranteeFundQuerySet", "PILOT_RANGES", "LinkType", "Pilot", "PilotKind", "range_status", "Training",
    "TrainingCourse", "TrainingInstitution",
]
