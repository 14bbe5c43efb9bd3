"""Warnings of a return to poverty (返贫风险预警) and the clerk's follow-ups (跟进记录).

The rules (workflows/risk_rules.py) are computed over the registry by `return_risks` (a command and a
job) and stored here, so that a warning has a life: it is raised, followed up (a measure, a helper's
visit, or "no risk" with a reason), cleared when the rules no longer flag the household, and linked
to the household's return record when the household falls back after all (docs/return-risks.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import HelperVisit, Household, RegistryModel, ReliefMeasure, ReturnRecord, choices_check


class RiskReason(models.TextChoices):
    LOW_INCOME = "low_income", _("人均纯收入低于或接近贫困线")
    INCOME_DROP = "income_drop", _("人均纯收入较上年大幅下降")
    HEALTH = "health", _("成员新患慢性病、大病或残疾")
    LOST_LABOURER = "lost_labourer", _("失去唯一劳动力")


class RiskState(models.TextChoices):
    OPEN = "open", _("待跟进")
    DISMISSED = "dismissed", _("已排除风险")
    CLEARED = "cleared", _("风险已解除")
    RETURNED = "returned", _("已返贫")


class FollowUpKind(models.TextChoices):
    MEASURE = "measure", _("落实帮扶措施")
    VISIT = "visit", _("帮扶走访")
    NO_RISK = "no_risk", _("排除风险")


# One boolean column a reason: a list filtered by reason is a plain WHERE, on every database.
REASON_FIELDS = RiskReason.values


def _reason_field(reason: RiskReason):
    return models.BooleanField(reason.label, default=False)


class ReturnRisk(RegistryModel):
    """A household flagged at risk of falling back, from `raised_on` until it is dismissed, cleared
    or the household returns. At most one open warning a household (returnrisk_one_open)."""

    Reason = RiskReason
    State = RiskState

    household = models.ForeignKey(Household, models.PROTECT, related_name="return_risks", verbose_name=_("贫困户"))
    state = models.CharField(_("状态"), max_length=16, choices=RiskState.choices, default=RiskState.OPEN)
    low_income = _reason_field(RiskReason.LOW_INCOME)
    income_drop = _reason_field(RiskReason.INCOME_DROP)
    health = _reason_field(RiskReason.HEALTH)
    lost_labourer = _reason_field(RiskReason.LOST_LABOURER)
    # What each reason found, in Chinese, as the last run of the rules read it: {reason code: text}.
    details = models.JSONField(_("风险说明"), default=dict)
    raised_on = models.DateField(_("预警日期"))
    refreshed_on = models.DateField(_("最近核算日期"))
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)
    # The household's return (返贫) that came after the warning: set by the return's service
    # (risk_services.risk_return_link), in the return's transaction.
    return_record = models.OneToOneField(ReturnRecord, models.PROTECT, null=True, blank=True,
                                         related_name="risk_warning", verbose_name=_("返贫记录"))

    class Meta:
        verbose_name = _("返贫风险预警")
        verbose_name_plural = _("返贫风险预警")
        ordering = ["household_id", "-raised_on", "-id"]
        constraints = [
            choices_check("returnrisk", "state", RiskState),
            models.UniqueConstraint(fields=["household"], condition=Q(state="open"), name="returnrisk_one_open"),
            models.CheckConstraint(condition=Q(low_income=True) | Q(income_drop=True) | Q(health=True)
                                   | Q(lost_labourer=True), name="returnrisk_has_reason"),
            models.CheckConstraint(condition=Q(state="returned", return_record__isnull=False)
                                   | (~Q(state="returned") & Q(return_record__isnull=True)),
                                   name="returnrisk_returned_iff_return_record"),
            models.CheckConstraint(condition=Q(state="open", closed_on__isnull=True)
                                   | (~Q(state="open") & Q(closed_on__isnull=False)),
                                   name="returnrisk_closed_on_iff_closed"),
        ]
        indexes = [models.Index(fields=["state", "household"], name="returnrisk_state_household")]

    def __str__(self):
        return f"{self.household} {self.raised_on:%Y-%m-%d}"

    @property
    def reasons(self) -> list[str]:
        return [code for code in REASON_FIELDS if getattr(self, code)]

    def reason_labels(self) -> list[str]:
        return [str(RiskReason(code).label) for code in self.reasons]


class RiskFollowUp(RegistryModel):
    """What the clerk did about a warning: a relief measure or a helper's visit of the household
    (recorded through their own services, linked here), or "no risk" with the reason, which closes
    the warning (dismissed). Written by workflows/risk_services.py."""

    Kind = FollowUpKind

    risk = models.ForeignKey(ReturnRisk, models.CASCADE, related_name="follow_ups", verbose_name=_("返贫风险预警"))
    kind = models.CharField(_("跟进方式"), max_length=16, choices=FollowUpKind.choices)
    measure = models.ForeignKey(ReliefMeasure, models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("帮扶措施"))
    visit = models.ForeignKey(HelperVisit, models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("帮扶走访"))
    note = models.TextField(_("说明"), blank=True, help_text=_("排除风险时必填：为什么该户没有返贫风险"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("登记人"), help_text=_("空白表示系统"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("返贫风险跟进")
        verbose_name_plural = _("返贫风险跟进")
        ordering = ["risk_id", "recorded_at", "id"]
        constraints = [
            choices_check("riskfollowup", "kind", FollowUpKind),
            models.CheckConstraint(condition=Q(kind="measure", measure__isnull=False, visit__isnull=True)
                                   | Q(kind="visit", visit__isnull=False, measure__isnull=True)
                                   | Q(kind="no_risk", measure__isnull=True, visit__isnull=True, note__gt=""),
                                   name="riskfollowup_kind_matches_record"),
        ]

    def __str__(self):
        return f"{self.risk} {self.get_kind_display()}"
