"""Keep API keys out of messages, reprs, logs, tracebacks, pickles and files.

Every key a plugin resolves is registered with :func:`remember` (so is the value of any
option whose name says it is a credential: :func:`is_secret_name`); :func:`redact` replaces
any registered key (and anything shaped like a well-known key) with a short fingerprint
that cannot be reversed. :func:`scrub_exception` redacts a whole exception chain in place
(an SDK error that echoes the key, chained under tryon's own); :func:`install_log_redaction`
(run when tryon is imported) redacts every log record of tryon and of the libraries it
drives (urllib3, requests, httpx, httpcore, openai, google_genai), at every level.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from typing import Any

__all__ = ["LOGGERS", "Secret", "install_log_redaction", "is_secret_name", "redact", "remember",
           "scrub_exception"]

_lock = threading.Lock()
_known: set[str] = set()
_SECRET_NAME = re.compile(
    r"key|token|secret|passw|authoriz|credential|bearer|cookie|signature|(?:^|[_-])auth(?:$|[_-])",
    re.IGNORECASE)
#: Loggers whose records are redacted (and their children).
LOGGERS = ("tryon", "tryon_openai", "tryon_flux", "tryon_gemini", "tryon_bedrock", "botocore", "boto3", "urllib3",
           "requests", "httpx", "httpx2", "httpcore", "httpcore2", "openai", "google_genai", "google.genai",
           "google.auth", "hpack", "h11")
_KEY_SHAPES = re.compile(r"\b(?:sk-[A-Za-z0-9_\-]{8,}|bfl_[A-Za-z0-9_\-]{8,}|AIza[0-9A-Za-z_\-]{20,}"
                         r"|(?:AKIA|ASIA)[A-Z0-9]{16})")
#: AWS request headers that carry a credential or a signature (as botocore's debug logs print them).
_AWS_HEADERS = re.compile(r"(\b(?:X-Amz-Security-Token|X-Amz-Signature|Signature)['\"]?\s*[:=]\s*(?:b?['\"])?)"
                          r"([A-Za-z0-9+/=%_\-]{8,})", re.IGNORECASE)


def remember(key: str | None) -> None:
    """Register a secret so that :func:`redact` hides it wherever it appears."""
    if key and len(key) >= 4:
        with _lock:
            _known.add(key)


def _mask(key: str) -> str:
    return f"***{key[-2:]}" if len(key) > 12 else "***"


def redact(text: str) -> str:
    """Return *text* with every known or key-shaped secret masked."""
    if not text:
        return text
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for key in known:
        if key in text:
            text = text.replace(key, _mask(key))
    text = _AWS_HEADERS.sub(lambda m: m.group(1) + _mask(m.group(2)), text)
    return _KEY_SHAPES.sub(lambda m: _mask(m.group(0)), text)


class Secret:
    """A string that never shows itself in ``repr``/``str``; ``.value`` gives it."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value
        remember(value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __bool__(self) -> bool:
        return bool(self.value)


def is_secret_name(name: str) -> bool:
    """Whether an option or setting name says it holds a credential (``api_key``, ``bearer``,
    ``token``, ``authorization``, ...): its value is never shown and is redacted everywhere."""
    return isinstance(name, str) and bool(_SECRET_NAME.search(name))


def _redact_value(value: Any, depth: int = 0) -> Any:
    if depth > 6:
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bytes) and len(value) < 1_000_000:
        text = value.decode("utf-8", "replace")
        cleaned = redact(text)
        return cleaned.encode("utf-8") if cleaned != text else value
    if isinstance(value, tuple):
        return tuple(_redact_value(v, depth + 1) for v in value)
    if isinstance(value, list):
        return [_redact_value(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: ("***" if is_secret_name(str(k)) and isinstance(v, str) else _redact_value(v, depth + 1))
                for k, v in value.items()}
    return value


def scrub_exception(exc: BaseException | None) -> None:
    """Redact known secrets in *exc*, its ``__cause__``/``__context__`` chain and exception
    groups, in place: ``args``, string/container attributes and notes."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        with contextlib.suppress(TypeError, AttributeError):
            item.args = _redact_value(item.args)
        attributes = getattr(item, "__dict__", None)
        if isinstance(attributes, dict):
            for name, value in list(attributes.items()):
                if isinstance(value, str | bytes | tuple | list | dict):
                    with contextlib.suppress(AttributeError, TypeError):
                        setattr(item, name, _redact_value(value))
        stack.extend([item.__cause__, item.__context__])
        stack.extend(getattr(item, "exceptions", ()) or ())


class _Redacting(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: leave it to logging's own error report
        return
    cleaned = redact(message)
    if cleaned != message or record.args:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[1] is not None:
        scrub_exception(record.exc_info[1])
    if record.exc_text:
        record.exc_text = redact(record.exc_text)


_installed = False


def _watched(name: str) -> bool:
    return any(name == root or name.startswith(root + ".") for root in LOGGERS)


def install_log_redaction() -> None:
    """Redact every log record of :data:`LOGGERS` (children included), whatever its level or
    handler: a record factory does it as records are made (idempotent; composes with others)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _watched(record.name):
            _redact_record(record)
        return record

    logging.setLogRecordFactory(factory)
    for name in LOGGERS:  # records made before install, or by a replaced factory, are filtered too
        logger = logging.getLogger(name)
        if not any(isinstance(f, _Redacting) for f in logger.filters):
            logger.addFilter(_Redacting())
