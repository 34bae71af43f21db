"""The production profile's nginx configuration, filled in from deploy/nginx/qybot.conf.template."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path("deploy") / "nginx" / "qybot.conf.template"


@dataclass(frozen=True)
class Topology:
    """Where each process listens (host:port); several Rasa and action servers share the load."""

    rasa: tuple[str, ...]
    actions: tuple[str, ...]
    web: str
    public_listen: str = "80"
    internal_listen: str = "127.0.0.1:8081"


def _servers(addresses: tuple[str, ...]) -> str:
    if not addresses:
        raise ValueError("at least one server is needed")
    return "\n".join(f"    server {address} max_fails=1 fail_timeout=5s;" for address in addresses)


def render_nginx(project_root: Path, topology: Topology) -> str:
    """The site configuration (an http{} include) for ``topology``."""
    text = (project_root / TEMPLATE).read_text(encoding="utf-8")
    values = {
        "@RASA_SERVERS@": _servers(topology.rasa),
        "@ACTION_SERVERS@": _servers(topology.actions),
        "@WEB_SERVER@": topology.web,
        "@PUBLIC_LISTEN@": topology.public_listen,
        "@INTERNAL_LISTEN@": topology.internal_listen,
    }
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    if "@" in "".join(line.split("#")[0] for line in text.splitlines()):
        raise ValueError("a placeholder in the nginx template was not filled in")
    return text


def standalone_nginx(site: str, prefix: Path) -> str:
    """A whole nginx.conf around ``site`` that runs unprivileged in ``prefix`` (tests, trying it out)."""
    return f"""worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{site}
}}
"""
