"""A directory of raw responses, so an import can be replayed byte for byte (``--cache DIR``).

Each response is two files named by the SHA-256 of method, URL and request body: ``<key>.body`` (the
bytes exactly as received) and ``<key>.json`` (URL, method, request body, status, content type,
retrieval time and the body's SHA-256). A body whose hash no longer matches its metadata is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CachedResponse:
    method: str
    url: str
    request_body: bytes
    status: int
    content_type: str
    body: bytes
    retrieved_at: dt.datetime

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def cache_key(method: str, url: str, request_body: bytes = b"") -> str:
    h = hashlib.sha256()
    h.update(method.upper().encode("ascii") + b"\n" + url.encode("utf-8") + b"\n" + request_body)
    return h.hexdigest()


class CacheCorrupt(Exception):
    pass


class ResponseCache:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.directory / f"{key}.json", self.directory / f"{key}.body"

    def get(self, method: str, url: str, request_body: bytes = b"") -> CachedResponse | None:
        meta_path, body_path = self._paths(cache_key(method, url, request_body))
        if not meta_path.exists() or not body_path.exists():
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        body = body_path.read_bytes()
        if hashlib.sha256(body).hexdigest() != meta["sha256"]:
            raise CacheCorrupt(
                f"{body_path}: content does not match the SHA-256 recorded in {meta_path.name}"
            )
        return CachedResponse(
            method=meta["method"],
            url=meta["url"],
            request_body=meta.get("request_body", "").encode("utf-8"),
            status=meta["status"],
            content_type=meta.get("content_type", ""),
            body=body,
            retrieved_at=dt.datetime.fromisoformat(meta["retrieved_at"]),
        )

    def put(self, response: CachedResponse) -> Path:
        meta_path, body_path = self._paths(cache_key(response.method, response.url, response.request_body))
        body_path.write_bytes(response.body)
        meta = {
            "method": response.method,
            "url": response.url,
            "request_body": response.request_body.decode("utf-8", "replace"),
            "status": response.status,
            "content_type": response.content_type,
            "retrieved_at": response.retrieved_at.isoformat(),
            "sha256": response.sha256,
        }
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        return meta_path

    def entries(self) -> list[dict]:
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.directory.glob("*.json"))]
