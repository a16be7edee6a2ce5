"""Production settings refuse to start without their secrets, and turn on HTTPS protections."""

import os
import subprocess
import sys

BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("CANDOUR_", "DJANGO_"))}


def load_production(**env):
    code = (
        "from django.conf import settings; import django; django.setup();"
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT,"
        " settings.SECURE_HSTS_SECONDS > 0, settings.DEBUG)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**BASE_ENV, "DJANGO_SETTINGS_MODULE": "candour.web.config.settings.production", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_without_a_secret_key_stops_with_a_hint():
    result = load_production()
    assert result.returncode != 0
    assert "CANDOUR_SECRET_KEY is not set" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr


PRODUCTION_ENV = {
    "CANDOUR_SECRET_KEY": "x" * 50,
    "CANDOUR_DATABASE_URL": "postgres://u:p@127.0.0.1:5432/candour",
    "CANDOUR_ALLOWED_HOSTS": "candour.example.nhs.uk",
    "CANDOUR_RECEIPT_PEPPER": "ab" * 32,
    "CANDOUR_SPEAKUP_KEYSTORE": "/var/lib/candour/speakup-keys",
    "CANDOUR_AUDIT_KEY": "cd" * 32,
}


def test_production_without_the_speakup_secrets_stops_naming_them():
    for name in ("CANDOUR_RECEIPT_PEPPER", "CANDOUR_SPEAKUP_KEYSTORE"):
        env = {k: v for k, v in PRODUCTION_ENV.items() if k != name}
        result = load_production(**env)
        assert result.returncode != 0
        assert f"{name} is not set" in result.stderr


def test_production_with_its_secrets_is_https_only():
    result = load_production(**PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "False"]


def test_production_collects_static_files_and_serves_pages(tmp_path):
    """The manifest storage refuses a page that links a static file it has not collected, and
    collectstatic refuses a stylesheet that refers to a missing file: both only in production."""
    code = (
        "import django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('collectstatic', '--no-input', verbosity=0);"
        "from django.test import Client;"
        "client = Client();"
        "print(*(client.get(p, secure=True, HTTP_HOST='candour.example.nhs.uk').status_code"
        " for p in ('/sign-in/', '/speak-up/')))"
    )
    env = {
        **BASE_ENV,
        **PRODUCTION_ENV,
        "DJANGO_SETTINGS_MODULE": "candour.web.config.settings.production",
        "CANDOUR_VAR_DIR": str(tmp_path),
        "CANDOUR_SPEAKUP_KEYSTORE": str(tmp_path / "keys"),
        # pages that need no database: a wrong address proves none is touched
        "CANDOUR_DATABASE_URL": "postgres://nobody:nothing@127.0.0.1:1/none",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "200"]


def test_production_shares_the_speakup_cache_through_memcached():
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.CACHES['speakup']['BACKEND'], *settings.CACHES['speakup']['LOCATION'])"
    )
    env = {
        **BASE_ENV,
        **PRODUCTION_ENV,
        "DJANGO_SETTINGS_MODULE": "candour.web.config.settings.production",
        "CANDOUR_SPEAKUP_CACHE": "memcached://10.0.0.5:11211,10.0.0.6:11211",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.memcached.PyMemcacheCache",
        "10.0.0.5:11211",
        "10.0.0.6:11211",
    ]
    env["CANDOUR_SPEAKUP_CACHE"] = "redis://10.0.0.5:6379"
    refused = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert refused.returncode != 0
    assert "CANDOUR_SPEAKUP_CACHE must be memcached://host:port" in refused.stderr


def test_deploy_check_warns_that_local_memory_rate_limits_are_per_process(tmp_path):
    env = {
        **BASE_ENV,
        **PRODUCTION_ENV,
        "DJANGO_SETTINGS_MODULE": "candour.web.config.settings.production",
        "CANDOUR_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "caches"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "speakup.W001" in result.stderr + result.stdout
    env["CANDOUR_SPEAKUP_CACHE"] = "memcached://127.0.0.1:11211"
    shared = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "caches"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "speakup.W001" not in shared.stderr + shared.stdout


def test_production_without_the_audit_key_stops_with_a_hint():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CANDOUR_AUDIT_KEY"}
    result = load_production(**env)
    assert result.returncode != 0
    assert "CANDOUR_AUDIT_KEY is not set" in result.stderr
    assert "secrets.token_hex(32)" in result.stderr


def manage(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    """``manage.py ARGS`` under the production settings with their secrets, and ``env``."""
    env = {
        **BASE_ENV,
        **PRODUCTION_ENV,
        "DJANGO_SETTINGS_MODULE": "candour.web.config.settings.production",
        "CANDOUR_VAR_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=env, capture_output=True, text=True, check=False
    )


def test_a_malformed_audit_key_stops_start_up(tmp_path):
    result = manage(tmp_path, "check", CANDOUR_AUDIT_KEY="not-hex")
    assert result.returncode != 0
    assert "core.E001" in result.stderr
    assert "AUDIT_KEY is not hexadecimal" in result.stderr


def test_deploy_check_warns_when_nothing_anchors_the_audit_chain(tmp_path):
    unset = manage(tmp_path, "check", "--deploy")
    assert "core.W001" in unset.stderr + unset.stdout
    assert "core.W002" in unset.stderr + unset.stdout
    anchored_env = {
        "CANDOUR_AUDIT_CHECKPOINTS": str(tmp_path / "checkpoints.jsonl"),
        "CANDOUR_AUDIT_SIGNING_KEY": "ef" * 32,
    }
    anchored = manage(tmp_path, "check", "--deploy", **anchored_env)
    assert "core.W001" not in anchored.stderr + anchored.stdout
    assert "core.W002" not in anchored.stderr + anchored.stdout
    mismatched = manage(
        tmp_path, "check", "--deploy", **anchored_env, CANDOUR_AUDIT_VERIFY_KEY="01" * 32
    )
    assert "core.E002" in mismatched.stderr
    assert "AUDIT_VERIFY_KEY is not the public key of AUDIT_SIGNING_KEY" in mismatched.stderr


def test_deploy_check_warns_until_the_static_files_are_collected(tmp_path):
    """Issue 10, finding 9: under the production settings every page is a 500 until
    collectstatic has run, and check --deploy said nothing."""
    env = {"CANDOUR_VAR_DIR": str(tmp_path), "CANDOUR_SPEAKUP_KEYSTORE": str(tmp_path / "keys")}
    before = manage(tmp_path, "check", "--deploy", "--tag", "staticfiles", **env)
    assert "core.W003" in before.stderr + before.stdout
    assert "collectstatic --no-input" in before.stderr + before.stdout
    assert str(tmp_path / "staticfiles" / "staticfiles.json") in before.stderr + before.stdout
    collected = manage(tmp_path, "collectstatic", "--no-input", "-v", "0", **env)
    assert collected.returncode == 0, collected.stderr
    after = manage(tmp_path, "check", "--deploy", "--tag", "staticfiles", **env)
    assert "core.W003" not in after.stderr + after.stdout


def test_deploy_check_warns_when_no_client_address_header_is_set_behind_the_proxy(tmp_path):
    """Issue 10, finding 9: production trusts a proxy for HTTPS (X-Forwarded-Proto), so
    REMOTE_ADDR is the proxy's address unless the client-address header is named."""
    env = {"CANDOUR_VAR_DIR": str(tmp_path)}
    unset = manage(tmp_path, "check", "--deploy", "--tag", "security", **env)
    assert "core.W004" in unset.stderr + unset.stdout
    assert "CANDOUR_CLIENT_ADDRESS_HEADER" in unset.stderr + unset.stdout
    named = manage(
        tmp_path,
        "check",
        "--deploy",
        "--tag",
        "security",
        CANDOUR_CLIENT_ADDRESS_HEADER="HTTP_X_FORWARDED_FOR",
        **env,
    )
    assert "core.W004" not in named.stderr + named.stdout
