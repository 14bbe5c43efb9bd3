"""3. 精准扶贫试点示范工程 (三.(一).3): pilot villages and pilot organisations."""


from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import (
    AlleviationModel,
    County,
    Household,
    RegistryModel,
    Village,
    choices_check,
    exists_besides,
    related,
    year_check,
    year_validators,
)

from .base import in_county, place_errors


class PilotKind(models.TextChoices):
    VILLAGE = "village", _("整村推进试点示范村")
    ENTERPRISE = "enterprise", _("龙头企业")
    COOPERATIVE = "cooperative", _("农民专业合作社（示范社）")
    FAMILY_FARM = "family_farm", _("家庭农场（示范农场）")


class LinkType(models.TextChoices):
    ENTERPRISE_HOUSEHOLD = "enterprise_household", _("企业+贫困户")
    ENTERPRISE_COOPERATIVE_HOUSEHOLD = "enterprise_cooperative_household", _("企业+合作社+贫困户")
    ENTERPRISE_FARM_HOUSEHOLD = "enterprise_farm_household", _("企业+家庭农场+贫困户")


# 三.(一).3's ranges, by what is counted: the PlanTarget codes of their bounds (`<code>_min`, `<code>_max`).
PILOT_RANGES = {"villages": "count.pilot_villages", "organisations": "count.pilot_enterprises"}


def range_status(actual: int, low, high) -> str:
    """`below`, `within` or `above` a plan's range: the plan's report and the projects' page say the same."""
    return "below" if actual < low else "above" if actual > high else "within"


class Pilot(RegistryModel):
    """A pilot (试点示范), 三.(一).3: a whole village (20–30 of them), or an economic organisation —
    a leading enterprise, a cooperative or a family farm (10–20) — with the link it builds to the
    poor households it brings along. The plan's ranges are checked in plans' report (projects.checks),
    not refused: a pilot is chosen one at a time."""

    channel = None  # the channel of the measures the project carries out (None: the pilots, chosen by the city)
    place_field = "county"  # the field that places it in its county

    Kind = PilotKind
    LinkType = LinkType

    kind = models.CharField(_("试点类型"), max_length=16, choices=PilotKind.choices)
    name = models.CharField(_("名称"), max_length=100, help_text=_("试点村可留空，取村名"), blank=True)
    county = models.ForeignKey(County, models.PROTECT, related_name="pilots", verbose_name=_("县(市、区)"))
    village = models.ForeignKey(
        Village, models.PROTECT, null=True, blank=True, related_name="pilots", verbose_name=_("建制村"),
        help_text=_("试点示范村必填；经济组织可填所在村"),
    )
    link_type = models.CharField(
        _("利益联接机制"), max_length=40, choices=LinkType.choices, blank=True, help_text=_("经济组织必填，试点村留空")
    )
    alleviation_model = models.ForeignKey(
        AlleviationModel, models.PROTECT, null=True, blank=True, related_name="pilots", verbose_name=_("扶贫模式")
    )
    year = models.PositiveSmallIntegerField(_("确定年度"), validators=year_validators)
    households = models.ManyToManyField(
        Household, blank=True, related_name="pilots", verbose_name=_("帮带贫困户"), help_text=_("经济组织帮带的贫困户")
    )
    history = HistoricalRecords(m2m_fields=[households])

    class Meta:
        verbose_name = _("试点示范")
        verbose_name_plural = _("试点示范")
        ordering = ["kind", "county_id", "name"]
        constraints = [
            choices_check("pilot", "kind", PilotKind),
            models.CheckConstraint(condition=Q(link_type="") | Q(link_type__in=LinkType.values),
                                   name="pilot_link_type_valid"),
            year_check("pilot"),
            in_county("pilot", "village"),
            # A pilot village is a village and builds no link; an organisation builds one.
            models.CheckConstraint(
                condition=Q(kind="village", village__isnull=False, link_type="") | (~Q(kind="village") & ~Q(link_type="")),
                name="pilot_village_or_organisation",
            ),
            models.UniqueConstraint(fields=["village"], condition=Q(kind="village"), name="pilot_village_once"),
        ]

    def __str__(self):
        return self.name or str(self.village or "")

    @property
    def county_code(self) -> str:
        return self.county_id

    @property
    def is_village(self) -> bool:
        return self.kind == PilotKind.VILLAGE

    def clean(self):
        """Runs a query."""
        errors = place_errors(self, "village")
        if self.is_village:
            if not self.village_id:
                errors["village"] = "试点示范村须选择建制村"
            elif exists_besides(self, kind=PilotKind.VILLAGE, village_id=self.village_id):
                errors["village"] = "该村已是试点示范村"
            if self.link_type:
                errors["link_type"] = "试点示范村不填利益联接机制"
            if not self.name and self.village_id and "village" not in errors:
                self.name = related(self, "village").name
        elif self.kind:
            if not self.link_type:
                errors["link_type"] = "产业帮带试点经济组织须选择利益联接机制"
            if not self.name.strip():
                errors["name"] = "请填写经济组织名称"
        if errors:
            raise ValidationError(errors)
