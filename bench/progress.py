"""Run through `manage.py shell` (bench/run): quota_progress() for the whole registry and all years,
which reads the exits and returns kept per county and year (households.models.EventTotal), against
the same read as hand-written SQL (bench/floors.py); then the same figures counted from the records
(quota_progress(recount=True), as the drift check of a close counts them, and as the quota progress
did before the totals were kept) against the aggregates as hand-written SQL, and that SQL joined
through household, village and township, as it was before exits and returns carried the county."""

import os

from bench.floors import JOINED, best, kept_floor, line, progress_floor
from plans.selectors import quota_progress

repeat = int(os.environ.get("BENCH_REPEAT", "20"))
print(line(f"quota progress, 2015-2018, {os.environ['BENCH_SIZE']}", best(quota_progress, repeat),
           best(kept_floor, repeat)))
# What the kept totals save: the records' aggregate, and that joined through the places.
floor = best(progress_floor, repeat)
print(line("  counted from the records (recount)", best(lambda: quota_progress(recount=True), repeat), floor))
print(line("  the same aggregate joined through the places", best(lambda: progress_floor(JOINED), repeat), floor))
