"""The one typed settings object, read from the environment (and ``.env``); every variable is in .env.example."""

from __future__ import annotations

import os
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

from pydantic import BaseSettings, Field, validator

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev"}


class Settings(BaseSettings):
    """Runtime configuration. Defaults suit a developer machine; production refuses placeholder secrets."""

    app_env: str = Field(default="development", env="APP_ENV")
    project_root: Path = Field(default=ROOT, env="PROJECT_ROOT")
    database_url: str = Field(default="", env="DATABASE_URL")
    secret_key: str = Field(default="change-me", env="SECRET_KEY")

    host: str = Field(default="127.0.0.1", env="BIND_HOST")
    rasa_port: int = Field(default=5005, env="RASA_PORT")
    action_port: int = Field(default=5055, env="ACTION_PORT")
    web_port: int = Field(default=8000, env="WEB_PORT")
    rasa_url: str = Field(default="", env="RASA_URL")
    action_timeout_seconds: float = Field(default=10.0, env="ACTION_TIMEOUT_SECONDS")
    chat_timeout_seconds: float = Field(default=15.0, env="CHAT_TIMEOUT_SECONDS")
    max_message_chars: int = Field(default=1000, env="MAX_MESSAGE_CHARS")

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
    # Empty = counters in this process; a redis:// URL shares them between several web or Rasa processes.
    rate_limit_redis_url: str = Field(default="", env="RATE_LIMIT_REDIS_URL")
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

    @validator("secret_key")
    def _real_secret_in_production(cls, value: str, values: dict) -> str:
        if values.get("app_env") == "production" and (value in PLACEHOLDER_SECRETS or len(value) < 32):
            raise ValueError("SECRET_KEY must be set to a random value of 32+ characters in production")
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
