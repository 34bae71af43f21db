"""`bot run` refuses to start when a port is taken, naming the port and the setting that changes it."""

import socket
from pathlib import Path

import pytest

from bot.ops.runner import port_free, run_all
from bot.settings import Settings


def test_busy_port_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "qybot-0000.tar.gz").write_bytes(b"")
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        assert not port_free("127.0.0.1", port)
        settings = Settings(model_dir=tmp_path, rasa_port=port, host="127.0.0.1")
        assert run_all(settings) == 1
    err = capsys.readouterr().err
    assert f"port {port}" in err and "RASA_PORT" in err


def test_missing_model_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_all(Settings(model_dir=tmp_path)) == 1
    assert "no trained model" in capsys.readouterr().err
