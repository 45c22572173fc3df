"""Result images of a fal answer: read from ``images``/``image``, downloaded at once, without the key.

fal's outputs list files as ``{"url", "content_type", "width", "height", "file_name",
"file_size"}``; with ``sync_mode`` the ``url`` is a ``data:`` URI instead. Files on fal's CDN are
downloaded through the core fetcher (SSRF checks, size cap, deadline) from allowed hosts only
(:mod:`.hosts`); a ``data:`` URI is decoded with the same size cap.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from tryon.answers import AnswerReader
from tryon.errors import InvalidInputError

from .hosts import delivery_problem, trusted_delivery_hosts
from .settings import FalSettings

__all__ = ["fetch_images", "image_urls"]


def image_urls(answer: Mapping[str, Any], reader: AnswerReader) -> list[str]:
    """The URL of every output image (``images[]``, or the single ``image`` of try-on endpoints)."""
    if "images" in answer:
        files = reader.items(answer.get("images"), "images")
        spots = [f"images[{i}]" for i in range(len(files))]
    elif "image" in answer:
        files, spots = [answer.get("image")], ["image"]
    else:
        raise reader.error("the result carries no images")
    urls = []
    for item, spot in zip(files, spots, strict=True):
        record = reader.mapping(item, spot)
        url = reader.text(record.get("url") if record is not None else None, f"{spot}.url")
        if not url:
            raise reader.wrong(f"{spot}.url", url, "a URL")
        urls.append(url)
    return urls


def _data_uri(url: str, limit: int, reader: AnswerReader) -> bytes:
    head, sep, payload = url.partition(",")
    if not sep or ";base64" not in head:
        raise reader.error("a result image data URI is not base64")
    if len(payload) > limit * 4 // 3 + 4:
        raise reader.error(f"a result image is larger than {limit:,} bytes (max_result_bytes)")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise reader.error("a result image data URI is not valid base64") from None


def fetch_images(urls: list[str], settings: FalSettings, base_url: str, reader: AnswerReader,
                 seconds: float) -> list[bytes]:
    """The bytes of each image: data URIs decoded, CDN files fetched key-free within *seconds*."""
    from tryon.media.fetch import URLFetcher

    fetcher = URLFetcher(allowed_hosts=trusted_delivery_hosts(base_url, settings.delivery_hosts),
                         max_bytes=settings.max_result_bytes, timeout=settings.timeout,
                         retries=settings.max_retries, total_timeout=max(seconds, 0.001))
    out = []
    for url in urls:
        if url.startswith("data:"):
            out.append(_data_uri(url, settings.max_result_bytes, reader))
            continue
        problem = delivery_problem(url, base_url, settings.delivery_hosts)
        if problem is not None:
            raise reader.error(problem)
        try:
            data, _ = fetcher.fetch(url)
        except InvalidInputError as exc:
            raise reader.error(f"a result image could not be downloaded ({exc.message})") from exc
        out.append(data)
    return out
