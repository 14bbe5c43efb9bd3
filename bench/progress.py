"""Run through `manage.py shell` (bench/run): quota_progress() for the whole registry and all years
against the same aggregates as one hand-written SQL query each (bench/floors.py); then that SQL
joined through household, village and township, as it was before exits and returns carried the county."""

import os

from bench.floors import JOINED, best, line, progress_floor
from plans.selectors import quota_progress

repeat = int(os.environ.get("BENCH_REPEAT", "20"))
floor = best(progress_floor, repeat)
print(line(f"quota progress, 2015-2018, {os.environ['BENCH_SIZE']}", best(quota_progress, repeat), floor))
# What the records' own county column saves: the floor's aggregate joined through the places.
print(line("  the same aggregate joined through the places", best(lambda: progress_floor(JOINED), repeat), floor))
