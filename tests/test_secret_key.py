"""SECRET_KEY: refused when it is a placeholder wherever data is real, generated once for a fresh development
machine (var/secret.key, owner-only), never read or written at import time."""

import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.secret_file import development_secret
from bot.settings import LEGACY_DEFAULT_SECRET, Settings
from tests.paths import ROOT

REAL = "x" * 40


def _settings(tmp_path: Path, **values: str) -> Settings:
    values = {
        "action_secret": "a" * 40,
        **values,
    }  # production needs one too; these tests are about SECRET_KEY
    return Settings(_env_file=None, project_root=tmp_path, **values)  # type: ignore[call-arg]


@pytest.fixture(autouse=True)
def _no_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SECRET_KEY", "SECRET_KEY_PREVIOUS", "APP_ENV"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("env", ["production", "development"])
@pytest.mark.parametrize("key", ["change-me", "CHANGE-ME", "dev", "short-but-not-a-placeholder"])
def test_placeholder_or_short_keys_are_refused_outside_tests(tmp_path: Path, env: str, key: str) -> None:
    with pytest.raises(ValidationError, match=r"SECRET_KEY is a placeholder.*token_urlsafe"):
        _settings(tmp_path, app_env=env, secret_key=key)


def test_production_needs_a_key_and_makes_none(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY is not set"):
        _settings(tmp_path, app_env="production")
    assert not (tmp_path / "var").exists()
    assert _settings(tmp_path, app_env="production", secret_key=REAL).secret_key == REAL


def test_tests_accept_any_key(tmp_path: Path) -> None:
    assert _settings(tmp_path, app_env="test", secret_key="t").secret_key == "t"


def test_a_fresh_development_machine_gets_one_private_key(tmp_path: Path) -> None:
    first = _settings(tmp_path)
    path = tmp_path / "var" / "secret.key"
    assert len(first.secret_key) >= 32 and path.read_text().strip() == first.secret_key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _settings(tmp_path).secret_key == first.secret_key  # made once
    # data stored under the old default before var/secret.key existed stays readable
    assert first.previous_secret_keys == (LEGACY_DEFAULT_SECRET,)
    assert _settings(tmp_path, secret_key_previous="a, b").previous_secret_keys == (
        "a",
        "b",
        LEGACY_DEFAULT_SECRET,
    )
    assert list((tmp_path / "var").iterdir()) == [path]  # no draft left behind


def test_processes_starting_together_share_one_key(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: development_secret(tmp_path / "var"), range(16)))
    assert len(keys) == 1 and os.listdir(tmp_path / "var") == ["secret.key"]


def test_a_damaged_key_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secret.key").write_text("\n")
    with pytest.raises(ValueError, match="delete it"):
        development_secret(tmp_path / "var")


def test_nothing_is_read_or_written_at_import_time(tmp_path: Path) -> None:
    code = (
        "import bot.settings, bot.privacy, bot.web, actions.status, actions.referrals\n"
        "from pathlib import Path; import sys\n"
        "assert not Path(sys.argv[1], 'var').exists(), 'imported modules made a key'\n"
        "bot.settings.get_settings()\n"
        "assert Path(sys.argv[1], 'var', 'secret.key').exists()\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "APP_ENV", "SECRET_KEY_PREVIOUS")}
    env["PROJECT_ROOT"] = str(tmp_path)
    subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(ROOT)},
        check=True,
    )
