"""tryon.json_blobs: a JSON answer parsed with its long base64 strings lifted out, never changed otherwise."""

from __future__ import annotations

import base64
import json
import random
from typing import Any

import pytest

from tryon.json_blobs import MIN_BLOB, loads


def b64(n: int, *, urlsafe: bool = False, seed: int = 0) -> str:
    data = random.Random(seed).randbytes(n)
    return (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode()


def resolved(tree: Any, blobs: Any) -> Any:
    """*tree* with every placeholder replaced by the base64 text it stands for (re-encoded)."""
    if isinstance(tree, dict):
        return {k: resolved(v, blobs) for k, v in tree.items()}
    if isinstance(tree, list):
        return [resolved(v, blobs) for v in tree]
    return blobs.text(tree) if isinstance(tree, str) else tree


def gemini_answer(image_b64: str, *, indent: int | None = None) -> bytes:
    return json.dumps({"candidates": [{"content": {"parts": [
        {"text": "here you are"}, {"inlineData": {"mimeType": "image/png", "data": image_b64}}]},
        "finishReason": "STOP"}], "usageMetadata": {"totalTokenCount": 1290}, "responseId": "r1"},
        indent=indent).encode()


@pytest.mark.parametrize("indent", [None, 2])
def test_an_inline_image_is_lifted_and_decodes_to_its_bytes(indent: int | None) -> None:
    image = b64(300_000)
    body = gemini_answer(image, indent=indent)
    tree, blobs = loads(body)
    data = tree["candidates"][0]["content"]["parts"][1]["inlineData"]["data"]
    assert blobs.is_blob(data) and len(blobs) == 1 and blobs.size(data) == len(image)
    assert len(data) < 64  # the tree holds a placeholder, not 400 KB of text
    assert blobs.decode(data) == base64.b64decode(image)
    assert resolved(tree, blobs) == json.loads(body)  # nothing else changed


@pytest.mark.parametrize("seed", range(25))
def test_any_document_parses_as_json_loads_does(seed: int) -> None:
    rng = random.Random(seed)

    def value(depth: int) -> Any:
        kind = rng.randrange(8 if depth < 3 else 5)
        if kind == 0:
            return b64(rng.choice([10, MIN_BLOB, 5000, 20_000]), urlsafe=rng.random() < 0.3, seed=rng.randrange(99))
        if kind == 1:
            return rng.choice(["plain", "with \"quotes\" and \\\\ backslashes", "ünï", ""])
        if kind == 2:
            return rng.choice([0, -1.5, 1e300, True, False, None])
        if kind == 3:  # an escaped quote right before a long base64 run: inside a string, never lifted
            return '\\"' + b64(6000, seed=rng.randrange(99)) + '\\"'
        if kind == 4:
            return "x" + b64(5000, seed=rng.randrange(99))  # base64 after other text
        if kind in (5, 6):
            return {(b64(5000) if rng.random() < 0.2 else f"k{i}"): value(depth + 1) for i in range(rng.randrange(4))}
        return [value(depth + 1) for _ in range(rng.randrange(4))]

    doc = {"root": value(0), "list": [value(1) for _ in range(3)]}
    body = json.dumps(doc, indent=rng.choice([None, 1])).encode()
    tree, blobs = loads(body)
    assert resolved(tree, blobs) == json.loads(body)


def test_keys_and_short_strings_stay_in_the_tree() -> None:
    key = b64(MIN_BLOB * 2)
    tree, blobs = loads(json.dumps({key: b64(100)}).encode())
    assert len(blobs) == 0 and list(tree) == [key]


def test_a_placeholder_cannot_be_forged_by_the_answer() -> None:
    _, first = loads(gemini_answer(b64(9000)))
    tree, blobs = loads(json.dumps({"text": "\x00tryon-blob-000000000000:0"}).encode())
    assert not blobs.is_blob(tree["text"]) and not first.is_blob(tree["text"])
    assert blobs.decode("aGk=") == b"hi"  # an ordinary string decodes as base64.b64decode would


def test_not_json_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        loads(b'{"data": "' + b"A" * 9000 + b'"')
    with pytest.raises(ValueError):
        loads(b"<html>busy</html>")
    with pytest.raises(ValueError):  # a bad padding in the lifted text
        _, blobs = loads(gemini_answer("A" * 9001))
        blobs.decode(next(iter([f"{blobs._tag}0"])))


def test_utf8_text_around_the_image_is_kept() -> None:
    tree, blobs = loads(gemini_answer(b64(7000)).replace(b"here you are", "voilà 赤い".encode()))
    assert tree["candidates"][0]["content"]["parts"][0]["text"] == "voilà 赤い" and len(blobs) == 1
