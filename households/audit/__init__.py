"""The data-quality checks (核查): the framework (base.py) and the registry's own checks (checks.py,
registered by HouseholdsConfig.ready())."""

from .base import (
    CHECKS,
    Check,
    Finding,
    Scope,
    audit_check,
    checks_for,
    counts_by_county,
    enabled_checks,
    household_findings,
    member_findings,
    run_audit,
)

__all__ = [
    "CHECKS", "Check", "Finding", "Scope", "audit_check", "checks_for", "counts_by_county", "enabled_checks", "household_findings",
    "member_findings", "run_audit",
]
