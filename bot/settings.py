"""The one typed settings object, read from the environment (and ``.env``); every variable is in .env.example."""

from __future__ import annotations

import os
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

from pydantic import BaseSettings, Field, root_validator, validator

from bot.secret_file import MIN_LENGTH, development_secret

ROOT = Path(__file__).resolve().parent.parent
LEGACY_DEFAULT_SECRET = "change-me"  # what SECRET_KEY defaulted to before var/secret.key
PLACEHOLDER_SECRETS = {"", LEGACY_DEFAULT_SECRET, "changeme", "secret", "dev"}
SECRET_HELP = (
    f"Set SECRET_KEY (in .env or the environment) to a random value of {MIN_LENGTH}+ characters, for example the "
    "output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`; keep the old one in SECRET_KEY_PREVIOUS if "
    "data was stored under it. Only APP_ENV=test accepts any key; APP_ENV=development without SECRET_KEY makes one "
    "in var/secret.key."
)


class Settings(BaseSettings):
    """Runtime configuration. Defaults suit a developer machine; only tests accept a placeholder secret."""

    app_env: str = Field(default="development", env="APP_ENV")
    project_root: Path = Field(default=ROOT, env="PROJECT_ROOT")
    database_url: str = Field(default="", env="DATABASE_URL")
    # Rasa's conversations (SQLTrackerStore): empty = the SQLite file var/tracker.db, so a restart loses nothing.
    tracker_store_url: str = Field(default="", env="TRACKER_STORE_URL")
    # Empty in development: a key generated once into var/secret.key (reading it is the only I/O settings do).
    secret_key: str = Field(default="", env="SECRET_KEY")
    # Earlier keys, comma-separated, newest first: still read (PII, console sessions, sender hashes), never written.
    secret_key_previous: str = Field(default="", env="SECRET_KEY_PREVIOUS")

    host: str = Field(default="127.0.0.1", env="BIND_HOST")
    rasa_port: int = Field(default=5005, env="RASA_PORT")
    action_port: int = Field(default=5055, env="ACTION_PORT")
    web_port: int = Field(default=8000, env="WEB_PORT")
    rasa_url: str = Field(default="", env="RASA_URL")
    # Shared between Rasa and the action server (header X-Action-Secret); empty = `bot run` makes one per run.
    action_secret: str = Field(default="", env="ACTION_SECRET")
    # Origins allowed to call Rasa's HTTP API from a browser; empty = none (the web chat goes through /api/chat).
    rasa_cors_origins: str = Field(default="", env="RASA_CORS_ORIGINS")
    action_timeout_seconds: float = Field(default=10.0, env="ACTION_TIMEOUT_SECONDS")
    chat_timeout_seconds: float = Field(default=15.0, env="CHAT_TIMEOUT_SECONDS")
    max_message_chars: int = Field(default=1000, env="MAX_MESSAGE_CHARS")
    # Status queries (bot.mediation.lookup_limits): misses allowed per reference and per client within the window.
    status_misses_per_reference: int = Field(default=5, ge=1, env="STATUS_MISSES_PER_REFERENCE")
    status_misses_per_client: int = Field(default=10, ge=1, env="STATUS_MISSES_PER_CLIENT")
    status_lock_hours: float = Field(default=24.0, gt=0, env="STATUS_LOCK_HOURS")

    model_dir: Path = Field(default=ROOT / "models", env="MODEL_DIR")
    # Content-addressed (safe to share between project copies): the built retriever and its text analyses.
    cache_dir: Path = Field(default=ROOT / "var" / "cache", env="CACHE_DIR")
    # What action servers serve: "published" (knowledge/ is published at start, then every `bot knowledge
    # publish` goes live) or "folder" (knowledge/ as it is, unchecked and never reloaded: tests).
    knowledge_source: str = Field(default="published", env="KNOWLEDGE_SOURCE")
    # How often a running action server looks for newly published knowledge (bot knowledge publish).
    knowledge_poll_seconds: float = Field(default=1.0, env="KNOWLEDGE_POLL_SECONDS")
    training_epochs_scale: float = Field(default=1.0, env="TRAINING_EPOCHS_SCALE")

    # WeChat official account (optional: an empty token switches the channel off, its routes answer 503).
    wechat_token: str = Field(default="", env="WECHAT_TOKEN")
    wechat_app_id: str = Field(default="", env="WECHAT_APP_ID")
    wechat_app_secret: str = Field(default="", env="WECHAT_APP_SECRET")
    wechat_aes_key: str = Field(default="", env="WECHAT_AES_KEY")
    wechat_api_base: str = Field(default="https://api.weixin.qq.com/", env="WECHAT_API_BASE")
    wechat_reply_deadline_seconds: float = Field(default=4.0, env="WECHAT_REPLY_DEADLINE_SECONDS")
    wechat_max_clock_skew_seconds: float = Field(default=300.0, env="WECHAT_MAX_CLOCK_SKEW_SECONDS")
    wechat_notify_interval_seconds: float = Field(default=30.0, env="WECHAT_NOTIFY_INTERVAL_SECONDS")
    wechat_notify_max_attempts: int = Field(default=5, env="WECHAT_NOTIFY_MAX_ATTEMPTS")

    # Where `bot db backup` writes by default and `bot db restore` keeps its safety copy (best on another disk).
    backup_dir: Path = Field(default=ROOT / "var" / "backups", env="BACKUP_DIR")
    # Data lifecycle (bot/retention.py, run daily by `bot jobs run` at RETENTION_HOUR, Beijing time).
    retention_referral_months: int = Field(default=24, env="RETENTION_REFERRAL_MONTHS")
    retention_question_log_months: int = Field(default=12, env="RETENTION_QUESTION_LOG_MONTHS")
    # Rasa's conversations (what citizens typed, in clear): kept this many days after they were last used.
    retention_conversation_days: int = Field(default=30, env="RETENTION_CONVERSATION_DAYS")
    retention_hour: int = Field(default=3, env="RETENTION_HOUR")
    jobs_poll_seconds: float = Field(default=60.0, env="JOBS_POLL_SECONDS")
    # Notices to mediation organizations (bot/mediation/org_notices.py), delivered by `bot jobs run`.
    org_notify_channel: str = Field(default="log", env="ORG_NOTIFY_CHANNEL")  # log | webhook
    org_webhook_url: str = Field(default="", env="ORG_WEBHOOK_URL")
    org_webhook_secret: str = Field(default="", env="ORG_WEBHOOK_SECRET")
    org_notify_max_attempts: int = Field(default=6, env="ORG_NOTIFY_MAX_ATTEMPTS")
    org_notify_backoff_seconds: float = Field(default=30.0, env="ORG_NOTIFY_BACKOFF_SECONDS")
    org_notify_poll_seconds: float = Field(default=5.0, env="ORG_NOTIFY_POLL_SECONDS")
    console_public_url: str = Field(default="", env="CONSOLE_PUBLIC_URL")  # the link in a notice
    # Rate limits (messages per window; 0 = no limit). Senders are per browser or per OpenID; one public address
    # may carry a whole school or village behind NAT, so its limit is far higher than one sender's.
    rate_limit_window_seconds: float = Field(default=60.0, env="RATE_LIMIT_WINDOW_SECONDS")
    chat_limit_per_sender: int = Field(default=20, env="CHAT_LIMIT_PER_SENDER")
    chat_limit_per_ip: int = Field(default=240, env="CHAT_LIMIT_PER_IP")
    wechat_limit_per_openid: int = Field(default=20, env="WECHAT_LIMIT_PER_OPENID")
    # Console sign-in: this many failures lock the account (or the address) until the window ends.
    login_max_failures: int = Field(default=5, env="LOGIN_MAX_FAILURES")
    login_max_failures_per_ip: int = Field(default=20, env="LOGIN_MAX_FAILURES_PER_IP")
    login_lock_seconds: float = Field(default=900.0, env="LOGIN_LOCK_SECONDS")
    # Empty = everything below is kept in each process; redis://host:port/db shares it between several web or Rasa
    # processes: rate-limit counters, WeChat's access token, its de-duplication of retried messages, its options.
    redis_url: str = Field(default="", env="REDIS_URL")
    # Addresses (or networks) of reverse proxies whose X-Forwarded-For is believed; anyone else's is ignored.
    trusted_proxies: str = Field(default="127.0.0.1,::1", env="TRUSTED_PROXIES")

    class Config:
        env_file = ".env"
        env_file_encoding = "utf-8"

    @validator("app_env")
    def _known_env(cls, value: str) -> str:
        if value not in {"development", "test", "production"}:
            raise ValueError("APP_ENV must be development, test or production")
        return value

    @root_validator(skip_on_failure=True)
    def _real_secret_unless_testing(cls, values: dict) -> dict:
        """Real data needs a real key: outside tests a placeholder or short key is refused; in development a
        missing one is generated into var/secret.key (data stored under the old default stays readable)."""
        env, key = values["app_env"], values["secret_key"]
        if env == "development" and not key:
            values["secret_key"] = development_secret(values["project_root"] / "var")
            values["secret_key_previous"] = ",".join(
                k for k in (values["secret_key_previous"], LEGACY_DEFAULT_SECRET) if k
            )
        elif env != "test" and (key.lower() in PLACEHOLDER_SECRETS or len(key) < MIN_LENGTH):
            problem = "is not set" if not key else "is a placeholder or shorter than 32 characters"
            raise ValueError(f"SECRET_KEY {problem} (APP_ENV={env}). {SECRET_HELP}")
        return values

    @validator("action_secret")
    def _action_secret_in_production(cls, value: str, values: dict) -> str:
        if values.get("app_env") == "production" and len(value) < 32:
            raise ValueError("ACTION_SECRET must be a random value of 32+ characters in production")
        return value

    @validator("wechat_aes_key")
    def _aes_key_shape(cls, value: str, values: dict) -> str:
        if value and len(value) != 43:
            raise ValueError("WECHAT_AES_KEY (EncodingAESKey) must be the 43 characters shown in the console")
        if value and not values.get("wechat_app_id"):
            raise ValueError("WECHAT_AES_KEY (safe mode) needs WECHAT_APP_ID as well")
        return value

    @validator("knowledge_source")
    def _known_source(cls, value: str) -> str:
        if value not in {"published", "folder"}:
            raise ValueError("KNOWLEDGE_SOURCE must be published or folder")
        return value

    @validator("retention_hour")
    def _an_hour(cls, value: int) -> int:
        if not 0 <= value <= 23:
            raise ValueError("RETENTION_HOUR must be an hour of the day, 0 to 23")
        return value

    @validator("retention_referral_months", "retention_question_log_months")
    def _some_months(cls, value: int) -> int:
        if value < 1:
            raise ValueError("retention periods are whole months, at least 1")
        return value

    @validator("trusted_proxies")
    def _proxy_networks(cls, value: str) -> str:
        for item in _split(value):
            try:
                ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(f"TRUSTED_PROXIES: {item!r} is not an address or network") from exc
        return value

    @validator("wechat_api_base")
    def _api_base_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @property
    def previous_secret_keys(self) -> tuple[str, ...]:
        """SECRET_KEY_PREVIOUS as a list, newest first."""
        return tuple(k.strip() for k in self.secret_key_previous.split(",") if k.strip())

    @property
    def var_dir(self) -> Path:
        return self.project_root / "var"

    @property
    def build_dir(self) -> Path:
        """What `bot build` derives from knowledge/ for training (config.yml reads var/build/jieba)."""
        return self.var_dir / "build"

    @property
    def knowledge_dir(self) -> Path:
        return self.project_root / "knowledge"

    @property
    def releases_dir(self) -> Path:
        """Published knowledge: one validated copy of knowledge/ per version, and which one is live."""
        return self.var_dir / "knowledge"

    @property
    def db_url(self) -> str:
        """DATABASE_URL, or the embedded SQLite file under var/."""
        return self.database_url or f"sqlite:///{self.var_dir / 'qybot.db'}"

    @property
    def tracker_url(self) -> str:
        """TRACKER_STORE_URL, or the SQLite file var/tracker.db (Rasa creates its table there on start)."""
        return self.tracker_store_url or f"sqlite:///{self.var_dir / 'tracker.db'}"

    @property
    def trusted_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """TRUSTED_PROXIES as networks (a bare address is a network of one)."""
        return tuple(ip_network(item, strict=False) for item in _split(self.trusted_proxies))

    @property
    def rasa_base_url(self) -> str:
        return self.rasa_url or f"http://127.0.0.1:{self.rasa_port}"


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once, on first use — never at import time)."""
    return Settings()


# Rasa sends telemetry and crash reports to the internet unless told not to; nothing may leave this machine.
OFFLINE_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "PYTHONUNBUFFERED": "1",
}


def child_env(**extra: str) -> dict[str, str]:
    """The environment for Rasa and action-server child processes: offline, quiet, plus ``extra``."""
    return {**os.environ, **OFFLINE_ENV, **extra}
