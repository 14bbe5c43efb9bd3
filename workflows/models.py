"""Identification (识别) and exit (退出) as reviewed workflows.

In the national practice a household does not simply appear in or leave the registry:
identification goes 农户申请 → 村民代表评议 → 村公示 → 乡镇审核 → 乡镇公示 → 县审定 → 县公告 → 建档,
exit goes 预退出 → 入户核实 → 户签字认可 → 村公示 → 乡镇审核 → 县审批（脱贫销号）. A case is one pass
through one of them; each step taken is a Step (who, when, acting for which level), each objection
raised during a public notice an Objection with its outcome, and an exit's home visit a Verification.

The flows are data (FLOWS): the services (workflows/services.py) move a case one step along it and
nothing else, the database keeps each state valid for its kind and each step once per case.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from households.models import (
    County,
    Household,
    Labor,
    PovertyCause,
    Township,
    Village,
    choices_check,
    year_validators,
)
from plans.models import PovertyLine


class Kind(models.TextChoices):
    IDENTIFICATION = "identification", _("贫困户识别")
    EXIT = "exit", _("贫困户退出")


class State(models.TextChoices):
    APPLIED = "applied", _("农户申请")
    VILLAGE_REVIEWED = "village_reviewed", _("村民代表评议")
    VILLAGE_NOTICE = "village_notice", _("村公示")
    TOWNSHIP_REVIEWED = "township_reviewed", _("乡镇审核")
    TOWNSHIP_NOTICE = "township_notice", _("乡镇公示")
    COUNTY_APPROVED = "county_approved", _("县审定")
    ANNOUNCED = "announced", _("县公告")
    REGISTERED = "registered", _("建档")
    PROPOSED = "proposed", _("预退出")
    VERIFIED = "verified", _("入户核实")
    SIGNED = "signed", _("户签字认可")
    CLOSED = "closed", _("县审批、脱贫销号")
    REJECTED = "rejected", _("未通过")


class Level(models.TextChoices):
    """Who takes a step: the village (村两委), the township (乡镇) or the county (县扶贫办), in this
    system the county clerk acting for them; the reviewer (审核员) overrides a failed verification."""

    VILLAGE = "village", _("村")
    TOWNSHIP = "township", _("乡镇")
    COUNTY = "county", _("县")
    REVIEWER = "reviewer", _("审核员")


S = State
FLOWS: dict[str, list[str]] = {
    Kind.IDENTIFICATION: [S.APPLIED, S.VILLAGE_REVIEWED, S.VILLAGE_NOTICE, S.TOWNSHIP_REVIEWED, S.TOWNSHIP_NOTICE,
                          S.COUNTY_APPROVED, S.ANNOUNCED, S.REGISTERED],
    Kind.EXIT: [S.PROPOSED, S.VERIFIED, S.SIGNED, S.VILLAGE_NOTICE, S.TOWNSHIP_REVIEWED, S.CLOSED],
}
LEVELS: dict[str, str] = {
    S.APPLIED: Level.VILLAGE, S.VILLAGE_REVIEWED: Level.VILLAGE, S.VILLAGE_NOTICE: Level.VILLAGE,
    S.TOWNSHIP_REVIEWED: Level.TOWNSHIP, S.TOWNSHIP_NOTICE: Level.TOWNSHIP,
    S.COUNTY_APPROVED: Level.COUNTY, S.ANNOUNCED: Level.COUNTY, S.REGISTERED: Level.COUNTY,
    S.PROPOSED: Level.VILLAGE, S.VERIFIED: Level.VILLAGE, S.SIGNED: Level.VILLAGE,
    S.CLOSED: Level.COUNTY,
}
NOTICES = {S.VILLAGE_NOTICE, S.TOWNSHIP_NOTICE, S.ANNOUNCED}  # public notices: a period, open to objection
FINAL = [S.REGISTERED, S.CLOSED, S.REJECTED]
IS_FINAL = Q(state__in=FINAL)  # a case is open until registered, closed or rejected


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(state__in=FINAL)

    def with_places(self):
        return self.select_related("village__township__county", "household")


class Case(models.Model):
    """One household's way through identification or exit. An identification names the applicant
    until 建档 creates the household; the return of an exited household (返贫) is identified again,
    so an identification case may start from a household and ends with its return record."""

    Kind = Kind
    State = State

    kind = models.CharField(_("流程"), max_length=16, choices=Kind.choices)
    state = models.CharField(_("当前环节"), max_length=20, choices=State.choices)
    household = models.ForeignKey(
        Household, models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("贫困户"),
        help_text=_("退出和返贫识别必填；新识别的户在建档时生成"),
    )
    village = models.ForeignKey(Village, models.PROTECT, related_name="cases", verbose_name=_("所在村"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=year_validators,
                                            help_text=_("识别年份或脱贫年度"))
    applicant_name = models.CharField(_("申请人（户主）姓名"), max_length=50, blank=True)
    applicant_id_number = models.CharField(_("申请人公民身份号码"), max_length=18, blank=True)
    applicant_labor = models.CharField(_("申请人劳动能力"), max_length=16, choices=Labor.choices, blank=True)
    category = models.CharField(_("贫困户类别"), max_length=16, choices=Household.Category.choices, blank=True)
    main_cause = models.ForeignKey(PovertyCause, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("主要致贫原因"))
    standard = models.CharField(_("识别标准"), max_length=16, choices=Household.Standard.choices,
                                default=Household.Standard.NATIONAL)
    income_per_capita = models.DecimalField(_("申报人均纯收入（元/年）"), max_digits=12, decimal_places=2, null=True,
                                            blank=True, validators=[MinValueValidator(0)])
    reason = models.CharField(_("申请理由或返贫原因"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("发起时间"), auto_now_add=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("识别与退出流程")
        verbose_name_plural = _("识别与退出流程")
        ordering = ["-opened_at", "-id"]
        constraints = [
            choices_check("case", "kind", Kind),
            models.CheckConstraint(
                condition=Q(kind=Kind.IDENTIFICATION, state__in=[*FLOWS[Kind.IDENTIFICATION], S.REJECTED])
                | Q(kind=Kind.EXIT, state__in=[*FLOWS[Kind.EXIT], S.REJECTED]),
                name="case_state_of_its_kind",
            ),
            models.CheckConstraint(condition=Q(kind=Kind.IDENTIFICATION) | Q(household__isnull=False),
                                   name="case_exit_has_household"),
            models.CheckConstraint(
                condition=Q(kind=Kind.EXIT) | Q(household__isnull=False)
                | (Q(applicant_name__gt="") & Q(applicant_id_number__gt="")),
                name="case_applicant_named",
            ),
            # Two open cases of a kind for one household (or one applicant) would be decided twice.
            models.UniqueConstraint(fields=["household", "kind"], condition=~IS_FINAL,
                                    name="case_one_open_per_household"),
            models.UniqueConstraint(fields=["applicant_id_number"],
                                    condition=~IS_FINAL & Q(kind=Kind.IDENTIFICATION, household__isnull=True),
                                    name="case_one_open_per_applicant"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.who}"

    @property
    def who(self) -> str:
        """The household's number, or the applicant until 建档."""
        return self.household.number if self.household_id else self.applicant_name

    @property
    def county_code(self) -> str:
        return self.village_id[:6]

    @property
    def flow(self) -> list[str]:
        return FLOWS[self.kind]

    @property
    def next_state(self) -> str | None:
        """The step the case waits for; None once it is registered, closed or rejected."""
        if self.state in FINAL:
            return None
        return self.flow[self.flow.index(self.state) + 1]


class Step(models.Model):
    """A step taken: the state the case entered, who took it (acting for which level), when."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="steps", verbose_name=_("流程"))
    state = models.CharField(_("环节"), max_length=20, choices=State.choices)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    on = models.DateField(_("办理日期"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                           verbose_name=_("经办人"))
    # Kept as text too: the record outlives the account.
    by_name = models.CharField(_("经办人用户名"), max_length=150)
    at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示结束"), null=True, blank=True,
                                  help_text=_("公示期满之日，此日起可办理下一环节"))

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["case_id", "on", "id"]
        constraints = [
            choices_check("step", "state", State),
            choices_check("step", "level", Level),
            models.UniqueConstraint(fields=["case", "state"], name="step_once_per_case"),
            models.CheckConstraint(
                condition=Q(notice_start__isnull=True, notice_end__isnull=True) | Q(notice_end__gt=F("notice_start")),
                name="step_notice_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.case} {self.get_state_display()} {self.on}"


class Outcome(models.TextChoices):
    PENDING = "pending", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class Objection(models.Model):
    """An objection raised during a public notice (公示期异议), and what was decided on it."""

    Outcome = Outcome

    step = models.ForeignKey(Step, models.CASCADE, related_name="objections", verbose_name=_("公示环节"))
    raised_on = models.DateField(_("提出日期"))
    raised_by = models.CharField(_("异议人"), max_length=50, help_text=_("可为匿名"), blank=True)
    content = models.CharField(_("异议内容"), max_length=500)
    outcome = models.CharField(_("处理结果"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    decision = models.CharField(_("处理意见"), max_length=200, blank=True)
    decided_on = models.DateField(_("处理日期"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("处理人"))

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["step_id", "raised_on", "id"]
        constraints = [
            choices_check("objection", "outcome", Outcome),
            models.CheckConstraint(
                condition=Q(outcome=Outcome.PENDING, decided_on__isnull=True, decision="")
                | (~Q(outcome=Outcome.PENDING) & Q(decided_on__isnull=False, decision__gt="")),
                name="objection_decided_with_reason",
            ),
        ]

    def __str__(self):
        return f"{self.step} 异议 {self.raised_on}"


class Verification(models.Model):
    """The home visit of an exit (入户核实): per-capita income against the poverty line of the exit's
    year and the household's standard, and the 两不愁三保障 checklist. A line not on record is kept
    as unknown (flagged, not refused); a failed check needs a reviewer's override with a reason."""

    CHECKLIST = {
        "food": "不愁吃", "clothing": "不愁穿", "education": "义务教育有保障",
        "medical": "基本医疗有保障", "housing": "住房安全有保障",
    }

    case = models.OneToOneField(Case, models.CASCADE, related_name="verification", verbose_name=_("流程"))
    income_per_capita = models.DecimalField(_("核实人均纯收入（元/年）"), max_digits=12, decimal_places=2,
                                            validators=[MinValueValidator(0)])
    line = models.ForeignKey(PovertyLine, models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("对照贫困线"), help_text=_("空白表示该年度该标准的贫困线未登记"))
    line_amount = models.DecimalField(_("贫困线（元/年）"), max_digits=10, decimal_places=2, null=True, blank=True,
                                      help_text=_("核实时的金额，此后贫困线修改不影响"))
    food = models.BooleanField(_("不愁吃"))
    clothing = models.BooleanField(_("不愁穿"))
    education = models.BooleanField(_("义务教育有保障"))
    medical = models.BooleanField(_("基本医疗有保障"))
    housing = models.BooleanField(_("住房安全有保障"))
    override_reason = models.CharField(_("审核员放行理由"), max_length=200, blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("放行审核员"))
    overridden_by_name = models.CharField(_("放行审核员用户名"), max_length=150, blank=True)
    overridden_at = models.DateTimeField(_("放行时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("入户核实")
        verbose_name_plural = _("入户核实")
        ordering = ["case_id"]
        constraints = [
            models.CheckConstraint(condition=Q(income_per_capita__gte=0), name="verification_income_not_negative"),
            models.CheckConstraint(
                condition=Q(override_reason="", overridden_by_name="")
                | (Q(override_reason__gt="") & Q(overridden_by_name__gt="")),
                name="verification_override_with_reviewer",
            ),
        ]

    def __str__(self):
        return f"{self.case} 入户核实"

    @property
    def line_unknown(self) -> bool:
        return self.line_amount is None

    def problems(self) -> dict[str, str]:
        """What keeps the exit back, by field; no query."""
        found = {}
        if self.line_amount is not None and self.income_per_capita < self.line_amount:
            found["income_per_capita"] = f"人均纯收入{self.income_per_capita}元低于贫困线{self.line_amount}元"
        unmet = [label for name, label in self.CHECKLIST.items() if not getattr(self, name)]
        if unmet:
            found["checklist"] = f"两不愁三保障未达标：{'、'.join(unmet)}"
        return found

    @property
    def passed(self) -> bool:
        return not self.problems() or bool(self.override_reason)


class NoticePosting(models.Model):
    """A notice list (公示名单) of one place posted on a day: the cases of that place waiting on one
    notice step of one kind (workflows/notices.py). Posting starts each listed case's notice period on
    `posted_on`, not on the day the step was taken: in the villages the period runs from the day the
    list is on the wall, and objections are counted from then."""

    kind = models.CharField(_("流程"), max_length=16, choices=Kind.choices)
    step = models.CharField(_("公示环节"), max_length=20, choices=State.choices)
    village = models.ForeignKey(Village, models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("村"))
    township = models.ForeignKey(Township, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("乡镇"))
    county = models.ForeignKey(County, models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("县(市、区)"))
    posted_on = models.DateField(_("张贴日期"), help_text=_("公示期自此日起算"))
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("经办人"))
    # Kept as text too: the record outlives the account.
    posted_by_name = models.CharField(_("经办人用户名"), max_length=150)
    posted_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    cases = models.ManyToManyField(Case, related_name="notice_postings", verbose_name=_("所列流程"))

    class Meta:
        verbose_name = _("公示名单张贴")
        verbose_name_plural = _("公示名单张贴")
        ordering = ["-posted_on", "-id"]
        constraints = [
            choices_check("noticeposting", "kind", Kind),
            models.CheckConstraint(condition=Q(step__in=sorted(NOTICES)), name="noticeposting_step_is_notice"),
            # One place: the village, the township or the county whose list it is.
            models.CheckConstraint(
                condition=Q(village__isnull=False, township__isnull=True, county__isnull=True)
                | Q(village__isnull=True, township__isnull=False, county__isnull=True)
                | Q(village__isnull=True, township__isnull=True, county__isnull=False),
                name="noticeposting_one_place",
            ),
        ]

    def __str__(self):
        return f"{self.place} {self.get_kind_display()}{self.get_step_display()}名单 {self.posted_on}"

    @property
    def place(self):
        return self.village or self.township or self.county

# The warnings of a return to poverty and their follow-ups, in a module of their own.
from .risk_models import ReturnRisk, RiskFollowUp  # noqa: E402, F401  (registered with this app)
