"""Lint, migrations and the production deploy check, as part of the one test command."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_env(**overrides) -> dict:
    dev_only = ("CLINIC_DEV", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dev_only}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="clinic.example.org",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1/clinic"),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    env.update(overrides)
    return env


def run(args, env=None):
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_ruff_finds_nothing():
    result = run([str(Path(sys.executable).parent / "ruff"), "check", "."])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_layering_contracts_hold():
    """import-linter (pyproject.toml): the core apps import only downwards and selectors
    never import services; a new arrow the wrong way fails here and in ``make lint``."""
    result = run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_model_change_has_a_migration():
    result = run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deploy_check_is_clean_under_production_settings():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_missing_secret_key_stops_start_up_naming_it():
    env = production_env()
    del env["SECRET_KEY"]
    result = run([sys.executable, "manage.py", "check"], env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_demo_data_is_refused_outside_dev_mode():
    result = run([sys.executable, "manage.py", "seed_demo"], env=production_env())
    assert result.returncode != 0
    assert "CLINIC_DEV" in result.stderr


def test_a_checkout_with_nothing_configured_runs_manage_py_in_dev_mode():
    bare = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}
    result = run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], env=bare)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout
