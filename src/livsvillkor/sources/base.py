"""What every source client shares: the result type, provenance, and a polite HTTP session.

The HTTP session is the single place where requests leave the process. It

* retries HTTP 429 (and 503) with back-off, honouring ``Retry-After`` when the server sends it;
* can be throttled to a number of calls per time window (SCB PxWeb announces one in ``/config``);
* records every URL it fetched and the SHA-256 of every body, which become the result's provenance;
* can store and replay raw responses through a :class:`~livsvillkor.sources.cache.ResponseCache`.

Tests replace the *transport* (respx), never these functions, so the real code path runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pandas as pd

from .cache import CachedResponse, ResponseCache

USER_AGENT = "livsvillkor (open-source follow-up system for social sustainability)"


class SourceError(Exception):
    """A source answered with an error, or with something we cannot read. The message says which."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status

    def __str__(self) -> str:
        text = self.args[0]
        if self.status is not None:
            text = f"{text} (HTTP {self.status})"
        if self.url:
            text = f"{text} [{self.url}]"
        return text


@dataclass(frozen=True)
class Provenance:
    """Where a table came from: enough to repeat the request and to credit the source correctly."""

    source: str
    urls: tuple[str, ...]
    retrieved_at: dt.datetime
    parameters: dict[str, Any]
    sha256: str
    attribution: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "urls": list(self.urls),
            "retrieved_at": self.retrieved_at.isoformat(),
            "parameters": self.parameters,
            "sha256": self.sha256,
            "attribution": self.attribution,
        }


@dataclass(frozen=True)
class SourceResult:
    """A tidy table (one row per value) and its provenance."""

    data: pd.DataFrame
    provenance: Provenance
    notes: tuple[str, ...] = ()


@dataclass
class FetchLog:
    """The URLs and body hashes of one logical request (which may span several pages)."""

    urls: list[str] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)

    def digest(self) -> str:
        combined = hashlib.sha256()
        for h in self.hashes:
            combined.update(h.encode("ascii"))
        return combined.hexdigest()


class RateLimiter:
    """At most ``calls`` requests in any ``window`` seconds (sliding window)."""

    def __init__(self, calls: int, window: float, *, clock=time.monotonic, sleep=time.sleep):
        if calls < 1 or window <= 0:
            raise ValueError("a rate limit needs calls >= 1 and a positive window")
        self.calls = calls
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._stamps: deque[float] = deque()

    def wait(self) -> float:
        """Block until a call is allowed; return the seconds waited."""
        now = self._clock()
        while self._stamps and now - self._stamps[0] >= self.window:
            self._stamps.popleft()
        waited = 0.0
        if len(self._stamps) >= self.calls:
            waited = self.window - (now - self._stamps[0])
            if waited > 0:
                self._sleep(waited)
            now = self._clock()
            self._stamps.popleft()
        self._stamps.append(now)
        return max(waited, 0.0)


class HttpSession:
    """A small wrapper over :class:`httpx.Client` with back-off, throttling, caching and a fetch log."""

    RETRY_STATUSES = (429, 503)

    def __init__(
        self,
        *,
        client: httpx.Client | None = None,
        cache: ResponseCache | None = None,
        max_retries: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        limiter: RateLimiter | None = None,
        timeout: float = 60.0,
    ):
        self.client = client or httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT})
        self.cache = cache
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.sleep = sleep
        self.limiter = limiter
        self.slept: list[float] = []  # back-off waits, for the caller's report (and for tests)

    def _delay(self, response: httpx.Response, attempt: int) -> float:
        retry_after = response.headers.get("Retry-After")
        if retry_after:
            try:
                return min(float(retry_after), self.max_backoff)
            except ValueError:
                pass  # an HTTP date: fall back to exponential back-off
        return min(self.backoff * 2**attempt, self.max_backoff)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        log: FetchLog | None = None,
    ) -> CachedResponse:
        request = self.client.build_request(method, url, params=params, json=json_body)
        full_url = str(request.url)
        body_bytes = request.content or b""
        if self.cache is not None:
            hit = self.cache.get(method, full_url, body_bytes)
            if hit is not None:
                self._log(log, hit)
                return hit
        attempt = 0
        while True:
            if self.limiter is not None:
                self.limiter.wait()
            try:
                response = self.client.send(request)
            except httpx.HTTPError as exc:
                raise SourceError(f"could not reach the source: {exc}", url=full_url) from exc
            if response.status_code in self.RETRY_STATUSES and attempt < self.max_retries:
                delay = self._delay(response, attempt)
                self.slept.append(delay)
                self.sleep(delay)
                attempt += 1
                request = self.client.build_request(method, url, params=params, json=json_body)
                continue
            break
        result = CachedResponse(
            method=method,
            url=full_url,
            request_body=body_bytes,
            status=response.status_code,
            content_type=response.headers.get("Content-Type", ""),
            body=response.content,
            retrieved_at=dt.datetime.now(dt.UTC),
        )
        if response.status_code in self.RETRY_STATUSES:
            raise SourceError(
                f"the source kept refusing with {response.status_code} after {self.max_retries} retries",
                url=full_url,
                status=response.status_code,
            )
        if self.cache is not None and response.status_code < 400:
            self.cache.put(result)
        self._log(log, result)
        return result

    @staticmethod
    def _log(log: FetchLog | None, response: CachedResponse) -> None:
        if log is not None:
            log.urls.append(response.url)
            log.hashes.append(response.sha256)

    def get_json(self, url: str, *, params=None, log: FetchLog | None = None, explain=None) -> Any:
        return decode_json(self.request("GET", url, params=params, log=log), explain)

    def post_json(
        self, url: str, body: Any, *, params=None, log: FetchLog | None = None, explain=None
    ) -> Any:
        return decode_json(self.request("POST", url, params=params, json_body=body, log=log), explain)


def decode_json(response: CachedResponse, explain: Callable[[CachedResponse], str] | None = None) -> Any:
    if response.status >= 400:
        detail = explain(response) if explain else response.body[:300].decode("utf-8", "replace")
        raise SourceError(detail, url=response.url, status=response.status)
    try:
        return json.loads(response.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"the answer is not valid JSON: {exc}", url=response.url) from exc


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def chunked(items: list[str], size: int) -> list[list[str]]:
    if size < 1:
        raise ValueError("chunk size must be positive")
    return [items[i : i + size] for i in range(0, len(items), size)]
