"""The figures of a close (issue 19, point 4). A minimal stand-in of the flow's branch, replaced by
the figures helper's module at merge: the same three names, the canonical form of docs/closes.md."""

import hashlib
import json

from households.models import County

from .selectors import quota_progress


def close_figures(*, county: County, year: int) -> dict:
    """That county-year's quota progress row as the registry holds it now (the figures helper adds
    the counts by category, cause and channel, the population and the exits and returns)."""
    rows = quota_progress(year=year, county=county.code)
    row = rows[0].as_dict() if rows else None
    return {"county": county.code, "year": year, "progress": row}


def canonical_json(figures: dict) -> str:
    return json.dumps(figures, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
