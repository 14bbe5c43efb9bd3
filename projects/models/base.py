"""What the five projects' records share: the channels of their measures, money fields, the checks that
keep a place in its county, and the record of a person a project served (HouseholdLink)."""


from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import StartsWith

from households.models import (
    Household,
    RegistryModel,
    ReliefChannel,
    related,
)

# The channel of the measures each project's records point to (九个一批, plan 二.(一)).
LOAN_CHANNEL = "financial_support"  # 6. 金融扶持一批: the guarantee funds
EMPLOYMENT_CHANNEL = "labor_mutual_aid"  # 7. 劳动互助一批: "家门口"就业 and the public-welfare posts
EDUCATION_CHANNEL = "education_aid"  # 3. 教育资助一批: the village education funds
TRAINING_CHANNEL = "skills_training"  # 5. 技能培训一批: the training courses


def money(label: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, validators=[MinValueValidator(0)], **kwargs)


def not_negative(model: str, *fields: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{f}__gte": 0 for f in fields}), name=f"{model}_not_negative")


def in_county(model: str, place: str) -> models.CheckConstraint:
    """A township's or village's code begins with its county's: the place lies in the record's county."""
    return models.CheckConstraint(
        condition=Q(**{f"{place}__isnull": True}) | StartsWith(F(place), F("county")),
        name=f"{model}_{place}_in_county",
    )


def place_errors(record, *places: str) -> dict:
    """clean()'s twin of in_county(), and a village's twin within the record's township."""
    errors = {}
    county = record.county_id
    for place in places:
        code = getattr(record, f"{place}_id")
        if county and code and not code.startswith(county):
            errors[place] = f"所选{record._meta.get_field(place).verbose_name}不在该县(市、区)内"
    return errors


class HouseholdLink(RegistryModel):
    """A record of a member (or a household) that a project served, pointing to the relief measure
    it carries out. The measure belongs to the member's household and is of the project's channel;
    the services make one when none is given."""

    channel = None  # the channel code the measure must have

    class Meta:
        abstract = True

    def link_errors(self) -> dict:
        """Runs queries. The member is in a household that is still on the register, and the measure
        is that household's, of the project's channel. (A loan names no member: its measure's
        household is the one served.)"""
        errors = {}
        measure = related(self, "measure")
        member = related(self, "member") if hasattr(type(self), "member") else None
        if member is not None:
            household = member.household
            if household.status == Household.Status.REMOVED:
                errors["member"] = f"{member.name}所在的户 {household.number} 已清退，不是在册贫困户的成员"
            if measure is not None and measure.household_id != member.household_id:
                errors["measure"] = f"该帮扶措施属于户 {measure.household.number}，不是{member.name}所在的户"
        elif measure is not None and measure.household.status == Household.Status.REMOVED:
            errors["measure"] = f"户 {measure.household.number} 已清退"
        if measure is not None and measure.channel_id != self.channel:
            wanted = ReliefChannel.objects.get(pk=self.channel).name
            errors.setdefault("measure", f"该帮扶措施的渠道是{measure.channel.name}，应为{wanted}")
        return errors
