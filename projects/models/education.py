"""4. 乡村教育助学工程 (三.(一).4): village education funds and their grants."""


from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import (
    County,
    Member,
    RegistryModel,
    ReliefMeasure,
    Township,
    Village,
    exists_besides,
    related,
    year_check,
    year_validators,
)

from .base import (
    EDUCATION_CHANNEL,
    HouseholdLink,
    in_county,
    money,
    not_negative,
    place_errors,
)


class EducationFund(RegistryModel):
    """乡村教育助学基金, raised by the government and by donations, all of it for the local poor
    families' students, 三.(一).4."""

    channel = EDUCATION_CHANNEL  # the channel of the measures the project carries out
    place_field = "county"  # the field that places it in its county

    name = models.CharField(_("名称"), max_length=100)
    county = models.ForeignKey(County, models.PROTECT, related_name="education_funds", verbose_name=_("县(市、区)"))
    township = models.ForeignKey(
        Township, models.PROTECT, null=True, blank=True, related_name="education_funds", verbose_name=_("乡镇")
    )
    village = models.ForeignKey(
        Village, models.PROTECT, null=True, blank=True, related_name="education_funds", verbose_name=_("建制村")
    )
    founded_year = models.PositiveSmallIntegerField(_("设立年度"), validators=year_validators)
    government_funds = money(_("政府投入（元）"), default=0)
    donations = money(_("社会捐资及募捐（元）"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("乡村教育助学基金")
        verbose_name_plural = _("乡村教育助学基金")
        ordering = ["county_id", "name"]
        constraints = [
            year_check("educationfund", "founded_year"),
            not_negative("educationfund", "government_funds", "donations"),
            in_county("educationfund", "township"),
            in_county("educationfund", "village"),
            models.UniqueConstraint(fields=["county", "name"], name="educationfund_name_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def county_code(self) -> str:
        return self.county_id

    @property
    def raised(self):
        return (self.government_funds or 0) + (self.donations or 0)

    def clean(self):
        errors = place_errors(self, "township", "village")
        if self.township_id and self.village_id and not self.village_id.startswith(self.township_id):
            errors["village"] = "所选村不在该乡镇内"
        if self.county_id and self.name and exists_besides(self, county_id=self.county_id, name=self.name):
            errors["name"] = "该县已有同名助学基金"
        if errors:
            raise ValidationError(errors)


class StudentAid(HouseholdLink):
    """A grant of a village education fund to a student of a local poor household in a year."""

    channel = EDUCATION_CHANNEL

    fund = models.ForeignKey(EducationFund, models.PROTECT, related_name="aids", verbose_name=_("助学基金"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="student_aids", verbose_name=_("受助学生"))
    measure = models.ForeignKey(ReliefMeasure, models.PROTECT, related_name="student_aids", verbose_name=_("帮扶措施"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators)
    amount = money(_("资助金额（元）"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("助学资助")
        verbose_name_plural = _("助学资助")
        ordering = ["fund_id", "year", "id"]
        constraints = [
            year_check("studentaid"),
            not_negative("studentaid", "amount"),
            models.UniqueConstraint(fields=["fund", "member", "year"], name="studentaid_once_a_year"),
        ]

    def __str__(self):
        return f"{self.member} {self.year}"

    @property
    def county_code(self) -> str:
        return self.fund.county_id

    def clean(self):
        """Runs queries. 三.(一).4(2): the money goes to local poor families' students."""
        errors = self.link_errors()
        member, fund = related(self, "member"), related(self, "fund")
        if member is not None and member.schooling == Member.Schooling.NOT_IN_SCHOOL:
            errors.setdefault("member", f"{member.name}不是在校生（在校情况：非在校生）")
        if member is not None and fund is not None and member.household.county_code != fund.county_id:
            errors.setdefault("member", f"助学基金“{fund}”只资助{fund.county}当地贫困家庭学生")
        if self.fund_id and self.member_id and self.year and exists_besides(
                self, fund_id=self.fund_id, member_id=self.member_id, year=self.year):
            errors.setdefault("member", f"该学生{self.year}年已得到该基金资助")
        if errors:
            raise ValidationError(errors)
