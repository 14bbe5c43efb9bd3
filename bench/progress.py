"""Run through `manage.py shell` (bench/run): quota_progress() for the whole registry and all years
against the same aggregates as one hand-written SQL query each (bench/floors.py)."""

import os

from bench.floors import best, line, progress_floor
from plans.selectors import quota_progress

repeat = int(os.environ.get("BENCH_REPEAT", "20"))
print(line(f"quota progress, 2015-2018, {os.environ['BENCH_SIZE']}", best(quota_progress, repeat),
           best(progress_floor, repeat)))
