"""The project's settings plus the floor views the benchmarks compare against."""

from sanming_fupin.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
