"""Read a ``generateContent`` answer: its image, its usage, or why there is no image.

A refusal is a :class:`~tryon.errors.ContentPolicyError` — ``promptFeedback.blockReason``, no
candidates at all (the service answers so when it refuses a prompt), or a candidate that
finished for a safety reason without an image. An answer that holds no image for another
reason is an :class:`~tryon.errors.InvalidResponseError` quoting what the model said. A field
of the wrong shape (``"candidates": null``, ``"parts": 5``, a number where the image data
belongs) is an ``InvalidResponseError`` naming it (:class:`tryon.answers.AnswerReader`);
nothing in an answer's shape makes this crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from tryon.answers import AnswerReader
from tryon.errors import ContentPolicyError, InvalidResponseError
from tryon.results import Usage

__all__ = ["BLOCK_REASONS", "Answer", "read_answer", "usage_of"]

#: Finish reasons that mean the output was withheld by a policy.
BLOCK_REASONS = frozenset(
    {
        "SAFETY",
        "PROHIBITED_CONTENT",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "BLOCKLIST",
        "SPII",
        "RECITATION",
        "IMAGE_RECITATION",
    }
)


@attrs.frozen
class Answer:
    """The first image of an answer (base64 and media type), what the model said, and its usage."""

    image_b64: str
    media_type: str
    text: str
    usage: Usage | None
    response_id: str | None


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _get(obj: Mapping[str, Any], camel: str, snake: str) -> Any:
    return obj.get(camel, obj.get(snake))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _by_modality(details: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in details if isinstance(details, list) else ():
        item = _dict(item)
        count = _int(_get(item, "tokenCount", "token_count"))
        if isinstance(item.get("modality"), str) and count is not None:
            out[item["modality"].upper()] = out.get(item["modality"].upper(), 0) + count
    return out


def usage_of(answer: Mapping[str, Any]) -> Usage | None:
    """``usageMetadata`` as :class:`Usage` (thinking tokens count as output)."""
    meta = _dict(_get(answer, "usageMetadata", "usage_metadata"))
    if not meta:
        return None
    prompt = _by_modality(_get(meta, "promptTokensDetails", "prompt_tokens_details"))
    out = _by_modality(_get(meta, "candidatesTokensDetails", "candidates_tokens_details"))
    candidates = _int(_get(meta, "candidatesTokenCount", "candidates_token_count"))
    thoughts = _int(_get(meta, "thoughtsTokenCount", "thoughts_token_count")) or 0
    output = None if candidates is None and not thoughts else (candidates or 0) + thoughts
    text_out = out.get("TEXT")
    return Usage(
        input_tokens=_int(_get(meta, "promptTokenCount", "prompt_token_count")),
        output_tokens=output,
        total_tokens=_int(_get(meta, "totalTokenCount", "total_token_count")),
        input_text_tokens=prompt.get("TEXT"),
        input_image_tokens=prompt.get("IMAGE"),
        output_image_tokens=out.get("IMAGE"),
        output_text_tokens=(text_out or 0) + thoughts if text_out is not None or thoughts else None,
    )


def read_answer(answer: Mapping[str, Any], *, provider: str, model: str) -> Answer:
    """The first (non-thought) image of *answer*, or the typed reason why there is none."""
    common: dict[str, Any] = {
        "provider": provider,
        "model": model,
        "request_id": answer.get("responseId") if isinstance(answer.get("responseId"), str) else None,
    }
    feedback = _dict(_get(answer, "promptFeedback", "prompt_feedback"))
    block = _get(feedback, "blockReason", "block_reason")
    if block:
        message = _get(feedback, "blockReasonMessage", "block_reason_message")
        raise ContentPolicyError(
            f"the prompt was blocked ({block})" + (f": {message}" if message else ""), **common
        )
    read = AnswerReader(provider, model, request_id=common["request_id"])
    if "candidates" not in answer or answer["candidates"] == []:
        raise ContentPolicyError(
            "the service answered with no candidates, as it does when it refuses a prompt", **common
        )
    candidates = read.items(answer["candidates"], "candidates")
    texts: list[str] = []
    reasons: list[str] = []
    for c, candidate in enumerate(candidates):
        where = f"candidates[{c}]"
        candidate = read.mapping(candidate, where) or {}
        reason = _get(candidate, "finishReason", "finish_reason")
        if isinstance(reason, str):
            reasons.append(reason)
        content = read.mapping(candidate.get("content"), f"{where}.content", optional=True) or {}
        for p, part in enumerate(read.items(content.get("parts"), f"{where}.content.parts", optional=True)):
            here = f"{where}.content.parts[{p}]"
            part = read.mapping(part, here) or {}
            if part.get("thought") is True:
                continue
            inline = read.mapping(_get(part, "inlineData", "inline_data"), f"{here}.inlineData", optional=True)
            if inline is not None:
                mime = read.text(_get(inline, "mimeType", "mime_type"), f"{here}.inlineData.mimeType")
                data = read.text(inline.get("data"), f"{here}.inlineData.data")
                if mime and mime.startswith("image/") and data:
                    return Answer(data, mime, " ".join(texts), usage_of(answer), common["request_id"])
            text = read.text(part.get("text"), f"{here}.text", optional=True)
            if text is not None:
                texts.append(text)
    said = " ".join(texts).strip()
    said = f"; the model said: {said[:300]!r}" if said else ""
    blocked = [r for r in reasons if r in BLOCK_REASONS]
    if blocked:
        finish = _get(_dict(candidates[0]), "finishMessage", "finish_message")
        detail = f": {finish}" if isinstance(finish, str) and finish else ""
        raise ContentPolicyError(f"the image was withheld ({blocked[0]}){detail}{said}", **common)
    finish_reason = reasons[0] if reasons else "none given"
    raise InvalidResponseError(f"the answer holds no image (finish reason {finish_reason}){said}", **common)
