"""1. 乡村扶贫担保工程 (三.(一).1) in the admin: guarantee funds with their loans."""

from django.contrib import admin

from households.admin import county_filter
from households.models import ReliefMeasure

from ..models import GuaranteedLoan, GuaranteeFund
from .base import LinkAdmin, LinkInline, UnitAdmin


class LoanInline(LinkInline):
    model = GuaranteedLoan
    fields = ["measure", "household_number", "bank", "interest_subsidy", "issued_on", "repaid_on"]


@admin.register(GuaranteeFund)
class GuaranteeFundAdmin(UnitAdmin):
    list_display = ["name", "county", "township", "capital", "partner_bank", "founded_year", "loan_count",
                    "outstanding", "households_served"]
    list_filter = [county_filter("county_id"), "founded_year"]
    search_fields = ["name", "partner_bank"]
    list_select_related = ["county", "township"]
    inlines = [LoanInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_guarantees()

    @admin.display(description="担保贷款笔数", ordering="loan_count")
    def loan_count(self, fund):
        return fund.loan_count

    @admin.display(description="在保余额（元）", ordering="outstanding")
    def outstanding(self, fund):
        return fund.outstanding

    @admin.display(description="服务贫困户", ordering="households_served")
    def households_served(self, fund):
        return fund.households_served


@admin.register(GuaranteedLoan)
class GuaranteedLoanAdmin(LinkAdmin):
    unit = "fund"
    household_path = "measure__household"
    person_field = "measure"
    measure_required = True
    list_display = ["household_number", "fund", "amount", "term_months", "interest_subsidy", "issued_on",
                    "repaid_on"]
    list_filter = [county_filter("fund__county_id"), "measure__year", "repaid_on"]
    search_fields = ["measure__household__number", "fund__name", "bank"]
    list_select_related = ["measure__household", "fund"]
    fields = ["measure", "fund", "bank", "interest_subsidy", "issued_on", "repaid_on"]

    def household_id(self, loan):
        return ReliefMeasure.objects.filter(pk=loan.measure_id).values_list("household_id", flat=True).first()

    def household_of(self, loan):
        return loan.measure.household

    def choices_for(self, name, request):
        choices = super().choices_for(name, request)
        # A loan's measure states its amount and term: a small loan (小额贷款) has a term.
        return choices.filter(term_months__isnull=False) if name == "measure" else choices

    def offered_measures(self, request, queryset):
        # One loan to a measure: those that carry one already are not offered.
        return super().offered_measures(request, queryset).filter(term_months__isnull=False,
                                                                  guaranteed_loan__isnull=True)

    @admin.display(description="贷款金额（元）", ordering="measure__amount")
    def amount(self, loan):
        return loan.measure.amount

    @admin.display(description="期限（月）", ordering="measure__term_months")
    def term_months(self, loan):
        return loan.measure.term_months
