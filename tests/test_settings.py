"""The production settings mode passes Django's deployment checks with no warnings."""

import os
import subprocess
import sys

from tests.conftest import ROOT


def run_check(extra_env):
    dropped = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVSVILLKOR_") and k not in dropped}
    env.update(extra_env)
    env["PYTHONPATH"] = str(ROOT / "src")
    return subprocess.run(
        [sys.executable, "-m", "livsvillkor", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_production_mode_passes_check_deploy(tmp_path):
    result = run_check(
        {
            "LIVSVILLKOR_ENV": "production",
            "LIVSVILLKOR_SECRET_KEY": "x7!Qp2@Lm9#Rt4$Vw8%Yz1^Bc6&Df3*Gh5(Jk0)Nn+Sa=Ue_Io-Pq" * 2,
            "LIVSVILLKOR_ALLOWED_HOSTS": "livsvillkor.example.se",
            "LIVSVILLKOR_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_mode_is_flagged_by_check_deploy(tmp_path):
    result = run_check({"LIVSVILLKOR_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on


def test_production_mode_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_check({"LIVSVILLKOR_ENV": "production", "LIVSVILLKOR_ALLOWED_HOSTS": "x.example.se"})
    assert result.returncode != 0
    assert "LIVSVILLKOR_SECRET_KEY must be set" in result.stderr
