"""The customer-service (客服) message API client: cached access token, explicit timeouts, retries with backoff."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from bot.channels.wechat.tokens import MemoryTokens, TokenCache

logger = logging.getLogger(__name__)

TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # invalid, malformed or expired access token: fetch a new one
BUSY_ERRORS = frozenset({-1})  # "system busy": worth another try
TOKEN_MARGIN_SECONDS = 300  # refresh this long before WeChat's expires_in runs out


class WeChatAPIError(Exception):
    """WeChat answered with an errcode, or could not be reached after every retry."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"errcode {errcode}: {errmsg}")
        self.errcode = errcode


class _Transient(Exception):
    """A failure worth retrying (5xx, busy)."""


class WeChatClient:
    """Sends text as customer-service messages. Never logs URLs (they carry the secret or the token)."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        api_base: str = "https://api.weixin.qq.com/",
        *,
        timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        tokens: TokenCache | None = None,
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.api_base = api_base if api_base.endswith("/") else api_base + "/"
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.tokens = tokens or MemoryTokens(clock)  # in Redis when several servers share the account

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.app_secret)

    async def access_token(self) -> str:
        """The cached token, or a new one from cgi-bin/token (one fetch at a time, across servers with Redis)."""
        try:
            return await self.tokens.get(self._fetch_token)
        except asyncio.TimeoutError as exc:
            raise WeChatAPIError(-3, "timed out waiting for the access token") from exc

    async def _fetch_token(self) -> tuple[str, float]:
        params = {"grant_type": "client_credential", "appid": self.app_id, "secret": self.app_secret}
        data = await self._call("GET", "cgi-bin/token", params)
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise WeChatAPIError(-2, "no access_token in the answer")
        lifetime = float(data.get("expires_in") or 7200)
        logger.info("wechat: access token fetched")
        return token, max(lifetime - TOKEN_MARGIN_SECONDS, lifetime / 2)

    async def invalidate(self, token: str) -> None:
        """Forget ``token`` if it is still the cached one (another task or server may have refreshed it)."""
        await self.tokens.invalidate(token)

    async def send_text(self, openid: str, content: str) -> None:
        """One text customer-service message; a rejected token is refreshed once and the send repeated."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        for attempt in range(2):
            token = await self.access_token()
            try:
                await self._call("POST", "cgi-bin/message/custom/send", {"access_token": token}, body)
                return
            except WeChatAPIError as exc:
                if exc.errcode in TOKEN_ERRORS and attempt == 0:
                    logger.info("wechat: access token rejected (errcode %s), fetching a new one", exc.errcode)
                    await self.invalidate(token)
                    continue
                raise

    async def _call(
        self, method: str, path: str, params: dict[str, str], body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """One API call with up to ``retries`` retries (backoff doubling) on network errors, 5xx and busy."""
        # WeChat shows \\uXXXX escapes literally, so the JSON is sent as real UTF-8.
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else {}
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                async with (
                    aiohttp.ClientSession(timeout=timeout) as session,
                    session.request(
                        method, self.api_base + path, params=params, data=data, headers=headers
                    ) as answer,
                ):
                    if answer.status >= 500:
                        raise _Transient(f"HTTP {answer.status}")
                    if answer.status >= 400:
                        raise WeChatAPIError(-answer.status, f"HTTP {answer.status}")
                    payload = await answer.json(content_type=None)
                if not isinstance(payload, dict):
                    raise WeChatAPIError(-2, "the answer is not a JSON object")
                errcode = int(payload.get("errcode") or 0)
                if errcode in BUSY_ERRORS:
                    raise _Transient(f"errcode {errcode}")
                if errcode:
                    raise WeChatAPIError(errcode, str(payload.get("errmsg", "")))
                return payload
            except (aiohttp.ClientError, asyncio.TimeoutError, _Transient, ValueError) as exc:
                logger.warning(
                    "wechat api %s: attempt %d of %d failed (%s)",
                    path,
                    attempt + 1,
                    self.retries + 1,
                    type(exc).__name__,
                )
        raise WeChatAPIError(-1, f"{path} failed after {self.retries + 1} attempts")
