"""Settings come from the environment; production ones pass Django's deployment checks."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command

PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "k" * 60 + "-Zq9!", "ALLOWED_HOSTS": "fupin.example.cn"}


def manage(*args, **env):
    ours = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_REPLICA_URL")
    base = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env={**base, **env},
        capture_output=True, text=True, timeout=60,
    )


def test_production_settings_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_developer_can_run_commands_without_setting_anything():
    result = manage("check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_web_server_defaults_to_production():
    result = subprocess.run(
        [sys.executable, "-c", "import sanming_fupin.wsgi"], cwd=settings.BASE_DIR, capture_output=True, text=True,
        env={k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")},
    )
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_secret_key_is_required_when_debug_is_off():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="x")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_accepts_only_its_four_spellings():
    result = manage("check", DEBUG="yes")
    assert "DEBUG must be one of 1, 0, true, false" in result.stderr
    assert manage("check", DEBUG="true").returncode == 0


def test_database_url_picks_postgresql():
    code = "from django.conf import settings as s; d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'])"
    result = manage("shell", "--no-imports", "-c", code, DEBUG="1", DATABASE_URL="postgres://postgres@127.0.0.1:5432/fupin")
    assert result.stdout.split() == ["django.db.backends.postgresql", "fupin", "127.0.0.1"]


def test_redis_url_picks_a_shared_cache_that_keeps_the_api_callers():
    code = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'], s.CALLER_CACHE_SECONDS)"
    shared = manage("shell", "--no-imports", "-c", code, DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/3",
                    CALLER_CACHE_SECONDS="")
    assert shared.stdout.split() == ["common.cache.RedisCache", "300"], shared.stderr
    # Each process's own memory cannot be told of another's change of role: no callers kept.
    local = manage("shell", "--no-imports", "-c", code, DEBUG="1", REDIS_URL="", CALLER_CACHE_SECONDS="")
    assert local.stdout.split() == ["django.core.cache.backends.locmem.LocMemCache", "0"], local.stderr


@pytest.fixture
def redis_cache():
    from common.cache import RedisCache

    cache = RedisCache("redis://127.0.0.1:6379/0", {"KEY_PREFIX": f"sanming-fupin-test-{os.getpid()}"})
    try:
        cache.delete_many(["probe", "window", "absent"])
    except Exception as e:  # redis.ConnectionError: no Redis here
        pytest.skip(f"no Redis at 127.0.0.1:6379 ({e})")
    yield cache
    cache.delete_many(["probe", "window", "absent"])


def test_the_redis_cache_keeps_and_drops_values(redis_cache):
    redis_cache.set("probe", (1.5, 2), 5)
    assert redis_cache.get("probe") == (1.5, 2)
    redis_cache.delete("probe")
    assert redis_cache.get("probe") is None


def test_the_redis_cache_counts_hits_in_a_window_opened_by_the_first(redis_cache):
    from common.cache import window_count

    class Behind:  # as django.core.cache.cache hands it on
        def __getattr__(self, name):
            return getattr(redis_cache, name)

    counts = [window_count(Behind(), "window", 60) for _ in range(3)]
    assert [hits for hits, _left in counts] == [1, 2, 3]
    assert all(0 < left <= 60 for _hits, left in counts)
    assert redis_cache.get("window") == 3  # Redis's own counter, not a value read and written back


def test_the_redis_cache_reads_a_value_and_counts_a_window_at_once(redis_cache):
    from common.cache import get_counting

    redis_cache.set("probe", {"caller": 7}, 5)
    first, second = (get_counting(redis_cache, "probe", "window", 60) for _ in range(2))
    assert (first[:2], second[:2]) == (({"caller": 7}, 1), ({"caller": 7}, 2))
    assert 0 < second[2] <= 60
    assert get_counting(redis_cache, "absent", "window", 60)[:2] == (None, 3)


def test_language_and_time_zone():
    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ) == ("zh-hans", "Asia/Shanghai", True)


@pytest.mark.django_db
def test_migrations_are_committed():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize("value", ["10%", "1.5", "-0.1", "NaN", "zehn"])
def test_a_return_risk_share_is_a_number_from_0_to_1(value):
    result = manage("check", DEBUG="1", RETURN_RISK_INCOME_MARGIN=value)
    assert result.returncode != 0
    assert f"RETURN_RISK_INCOME_MARGIN must be a number from 0 to 1, such as 0.1 for 10 % (got '{value}')" in result.stderr


def test_a_return_risk_share_is_read():
    code = "from django.conf import settings as s; print(s.RETURN_RISK_INCOME_MARGIN, s.RETURN_RISK_INCOME_DROP)"
    result = manage("shell", "--no-imports", "-c", code, DEBUG="1", RETURN_RISK_INCOME_DROP="0.25")
    assert result.stdout.split() == ["0.1", "0.25"]


PRIMARY = "postgres://postgres@127.0.0.1:5432/fupin"


def test_a_replica_url_adds_the_replica_alias_its_router_and_its_test_mirror():
    code = ("from django.conf import settings as s; r = s.DATABASES['replica']; "
            "print(r['HOST'], r['PORT'], r['NAME'], r['TEST']['MIRROR'], r['OPTIONS']['connect_timeout'], "
            "s.DATABASE_ROUTERS[0], s.MIDDLEWARE[-1], s.DATABASE_REPLICA_MAX_LAG)")
    result = manage("shell", "--no-imports", "-c", code, DEBUG="1", DATABASE_URL=PRIMARY,
                    DATABASE_REPLICA_URL="postgres://postgres@10.0.0.2:5433/fupin", DATABASE_REPLICA_MAX_LAG="1.5")
    assert result.stdout.split() == ["10.0.0.2", "5433", "fupin", "default", "3", "common.replica.ReplicaRouter",
                                     "common.replica_middleware.ReplicaMiddleware", "1.5"], result.stderr


@pytest.mark.parametrize("env, reason", [
    ({"DATABASE_URL": "sqlite:///fupin.sqlite3"}, "DATABASE_REPLICA_URL needs DATABASE_URL on PostgreSQL"),
    ({"DATABASE_REPLICA_URL": "postgres://postgres@127.0.0.1:5433/other"},
     "DATABASE_REPLICA_URL names the database 'other', DATABASE_URL 'fupin'"),
    ({"DATABASE_REPLICA_MAX_LAG": "两秒"}, "DATABASE_REPLICA_MAX_LAG must be a number of seconds, 0 or more"),
    ({"DATABASE_REPLICA_CHECK_SECONDS": "-1"}, "DATABASE_REPLICA_CHECK_SECONDS must be a number of seconds"),
    ({"DATABASE_REPLICA_MAX_LAG": "20"}, "DATABASE_REPLICA_PIN_SECONDS must be at least DATABASE_REPLICA_MAX_LAG"),
    ({"DATABASE_REPLICA_READS": "yes"}, "DATABASE_REPLICA_READS must be one of 1, 0, true, false"),
])
def test_a_replica_misconfigured_is_refused_naming_the_setting(env, reason):
    base = {"DEBUG": "1", "DATABASE_URL": PRIMARY, "DATABASE_REPLICA_URL": "postgres://postgres@127.0.0.1:5433/fupin"}
    result = manage("check", **{**base, **env})
    assert result.returncode != 0 and reason in result.stderr
