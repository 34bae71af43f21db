"""``bot run``: start the action server, Rasa, the web app and the job runner together; stop them all cleanly on
Ctrl-C."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

from bot.settings import Settings, child_env

STARTUP_SECONDS = 180


@dataclass
class Service:
    """One child process, the port it listens on (None: it serves nothing and is healthy while it runs), and the
    setting that changes that port."""

    name: str
    command: list[str]
    port: int | None
    setting: str
    health_path: str
    process: subprocess.Popen | None = None


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def latest_model(model_dir: Path) -> Path | None:
    models = sorted(model_dir.glob("qybot-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def services(settings: Settings, model: Path) -> list[Service]:
    py = sys.executable
    rasa_args = ["run", "-m", str(model), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]
    rasa_args += ["-i", settings.host, "-p", str(settings.rasa_port)]
    if settings.rasa_cors_origins.strip():  # none by default: browsers reach Rasa only through the web app
        rasa_args += ["--cors", *settings.rasa_cors_origins.replace(",", " ").split()]
    return [
        Service(
            "action server",
            [py, "-m", "bot.ops.action_server", "--actions", "actions", "-p", str(settings.action_port)],
            settings.action_port,
            "ACTION_PORT",
            "/health",
        ),
        Service("Rasa", [py, "-m", "bot.channels.server", *rasa_args], settings.rasa_port, "RASA_PORT", "/"),
        Service("web app", [py, "-m", "bot.web.serve"], settings.web_port, "WEB_PORT", "/health"),
        Service("job runner", [py, "-m", "bot", "jobs", "run"], None, "", ""),
    ]


def wait_until_up(url: str, process: subprocess.Popen | None, deadline: float, poll: float = 1.0) -> bool:
    """True once ``url`` answers 200; False if the process exits or the monotonic ``deadline`` passes first."""
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(poll)
    return False


def wait_healthy(service: Service, host: str, deadline: float) -> bool:
    if service.port is None:
        return service.process is not None and service.process.poll() is None
    return wait_until_up(f"http://{host}:{service.port}{service.health_path}", service.process, deadline)


def free_port(host: str = "127.0.0.1") -> int:
    """A port the system has just given out as free (for servers started beside the stack)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def stop_all(running: list[Service]) -> None:
    """SIGTERM each process group, then SIGKILL whatever is still alive after 10 s."""
    for service in reversed(running):
        if service.process and service.process.poll() is None:
            os.killpg(service.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for service in running:
        if service.process is None:
            continue
        try:
            service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(service.process.pid, signal.SIGKILL)
            service.process.wait()


class StartupError(RuntimeError):
    """A service did not become healthy (or a port was taken); the message says which."""


def loopback(settings: Settings) -> str:
    return "127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host


def start_stack(settings: Settings, model: Path, running: list[Service], stop: Callable[[], bool]) -> None:
    """Start every service at once (the action server builds its retriever while Rasa loads its model, on their
    own cores), then wait until each is healthy; fills ``running``."""
    plan = services(settings, model)
    busy = [s for s in plan if s.port is not None and not port_free(settings.host, s.port)]
    if busy:
        raise StartupError(
            "\n".join(
                f"port {s.port} ({s.name}) is already in use; stop what uses it or set {s.setting}"
                for s in busy
            )
        )
    local = loopback(settings)
    env = child_env(
        ACTION_SERVER_URL=f"http://{local}:{settings.action_port}/webhook",
        # Only Rasa may call the action server: a secret shared by the two (made fresh when not configured).
        ACTION_SECRET=settings.action_secret or secrets.token_urlsafe(32),
        TRACKER_STORE_URL=settings.tracker_url,
    )
    deadline = time.monotonic() + STARTUP_SECONDS
    for service in plan:
        print(f"starting {service.name}{f' on port {service.port}' if service.port else ''} …", flush=True)
        service.process = subprocess.Popen(
            service.command, cwd=settings.project_root, env=env, start_new_session=True
        )
        running.append(service)
    for service in plan:
        if not wait_healthy(service, local, deadline) and not stop():
            raise StartupError(f"{service.name} did not start (see its output above)")
        if stop():
            return


def run_all(settings: Settings) -> int:
    """Start everything, print the URLs, and supervise until Ctrl-C or a service exits."""
    model = latest_model(settings.model_dir)
    if model is None:
        print(
            f"no trained model in {settings.model_dir}; run `make run` (it trains) or `bot train`",
            file=sys.stderr,
        )
        return 1
    running: list[Service] = []
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        start_stack(settings, model, running, lambda: stopping)
        if stopping:
            return 0
        local = loopback(settings)
        print("\nThe assistant is running:", flush=True)
        print(f"  web chat        http://{local}:{settings.web_port}/")
        print(f"  staff console   http://{local}:{settings.web_port}/console")
        print(f"  Rasa REST       http://{local}:{settings.rasa_port}/webhooks/rest/webhook")
        print(f"  action server   http://{local}:{settings.action_port}/health")
        print(
            "After editing knowledge/, `.venv/bin/python -m bot knowledge publish` makes it live (no retraining)."
        )
        print("Press Ctrl-C to stop.", flush=True)
        while not stopping:
            for service in running:
                if service.process and service.process.poll() is not None:
                    print(f"{service.name} exited with code {service.process.returncode}", file=sys.stderr)
                    return 1
            time.sleep(0.5)
        return 0
    except StartupError as error:
        print(str(error), file=sys.stderr)
        return 1
    finally:
        stop_all(running)
        print("stopped.", flush=True)
