"""Write images and their metadata to disk: atomically, never clobbering by accident.

:func:`save_bytes` writes to a temporary file in the target directory, ``fsync``\\ s it,
then publishes it with ``os.link`` (fails if the name exists: race-free between threads
and processes) or ``os.replace`` (``overwrite=True``). The extension always comes from
the real format sniffed from the bytes, not from what the caller or provider claimed.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import enum
import errno
import json
import os
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

from tryon.media.sniff import extension_for, normalize_media_type, sniff_output_type
from tryon.secrets import Secret, redact

__all__ = ["convert_image", "name_from_prompt", "safe_filename", "save_bytes", "scrub_metadata", "write_sidecar"]

_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "clock$"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_SECRET_KEY = re.compile(
    r"(^|_)(api_?key|apikey|x_?key|key|authorization|auth|token|access_?token|refresh_?token|secret|"
    r"client_?secret|password|passwd|cookie|set_cookie|credentials?|bearer)$"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{8,}")
_URL_SECRET_PARAM = re.compile(
    r"(?i)([?&](?:key|api_key|apikey|token|access_token|sig|signature|x-amz-signature|x-goog-signature)=)[^&#\s]+"
)
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@:]+:[^/\s@]+@")
_MAX_SUFFIX = 10_000


def _readable(text: str) -> str:
    """Latin letters without their accents (``café`` -> ``cafe``); letters and digits of other
    scripts as they are (``犬``, ``собака``); everything else becomes ``-``."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
        if plain:
            out.append(_UNSAFE_CHARS.sub("-", plain))
        elif char.isalnum() or (unicodedata.category(char) in ("Mn", "Mc") and out and out[-1] != "-"):
            out.append(char)  # letters, digits and (within words) the vowel signs of other scripts
        else:
            out.append("-")
    return "".join(out)


def safe_filename(text: str, max_len: int = 80) -> str:
    """A file name from *text*, readable in any script: Latin letters lose their accents, other
    scripts' letters and digits are kept, anything else becomes ``-``; no path separators, no
    leading dots, no reserved (Windows) device names, at most *max_len* characters; ``"image"``
    if nothing is left.
    """
    slug = _readable(str(text))
    slug = re.sub(r"-{2,}", "-", slug).strip("-_. ")
    slug = slug.lstrip(".-_")
    slug = slug[: max(1, max_len)].rstrip("-_. ")
    if not slug:
        return "image"
    if slug.split(".", 1)[0].lower() in _RESERVED:
        slug = f"_{slug}"[:max_len]
    return slug


PROMPT_WORDS = 6
PROMPT_NAME_LENGTH = 48


def name_from_prompt(prompt: str) -> str:
    """The file stem tryon gives images named after their prompt (the CLI, ``tryon batch``, and
    ``Generation.save(..., stem=name_from_prompt(prompt))``): the first six words, lower case,
    through :func:`safe_filename`, at most 48 characters (``"A red bag, studio"`` -> ``a-red-bag-studio``,
    ``"赤いバッグ"`` -> ``赤いバッグ``)."""
    words = "-".join(str(prompt).lower().split()[:PROMPT_WORDS])
    return safe_filename(words, max_len=PROMPT_NAME_LENGTH)


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_temp(directory: Path, data: bytes, suffix: str) -> Path:
    """Write *data* to a new temporary file in *directory*, flushed to disk."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _attempt in range(100):
        name = directory / f".tryon-{os.urandom(8).hex()}{suffix}.tmp"
        try:
            fd = os.open(name, flags, 0o666)  # the umask applies, as for any new file
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover - 100 collisions of 64 random bits
        raise FileExistsError(errno.EEXIST, f"cannot create a temporary file in {directory}")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return name


def _publish_new(temp: Path, target: Path) -> None:
    """Give *temp* the name *target* atomically; ``FileExistsError`` if *target* exists."""
    try:
        os.link(temp, target)
    except FileExistsError:
        raise
    except OSError:
        # Hard links unsupported here (some network/FAT file systems): reserve the name
        # exclusively, then atomically replace the empty placeholder with the content.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.close(fd)
        os.replace(temp, target)
        return
    os.unlink(temp)


def _real_type(data: bytes, media_type: str | None) -> str | None:
    sniffed = sniff_output_type(data)
    if sniffed:
        return sniffed
    if media_type:
        try:
            return normalize_media_type(media_type)
        except ValueError:
            return None
    return None


def _is_directory_target(target: str | os.PathLike[str]) -> bool:
    text = os.fspath(target)
    return (
        text.endswith(("/", os.sep))
        or (os.altsep is not None and text.endswith(os.altsep))
        or Path(text).is_dir()
    )


def save_bytes(
    data: bytes,
    media_type: str | None,
    path_or_dir: str | os.PathLike[str],
    *,
    stem: str = "image",
    overwrite: bool = False,
    directory: bool | None = None,
) -> Path:
    """Write image *data* atomically and return the path written.

    * A directory (``directory=True``, an existing one, or a path ending with a separator;
      created if needed): the file is named ``safe_filename(stem)`` plus the extension of the
      real format; an existing name is never overwritten: ``-1``, ``-2``... are appended
      instead. ``directory=True`` keeps a folder a folder even if it was removed meanwhile.
    * A file path: used as given. When its extension names another image format than the
      data's (``save("x.webp")`` of PNG bytes), the image is converted to that format (to
      JPEG: transparency flattened onto white); an equivalent spelling such as ``.jpeg`` is
      kept; an extension that names no image format gets the real one appended. An existing
      file raises ``FileExistsError`` unless ``overwrite=True``.

    The real format is sniffed from *data*; *media_type* is only used when the bytes are
    not a recognised image.
    """
    data = bytes(data)
    real = _real_type(data, media_type)
    extension = extension_for(real) if real else ".bin"
    if directory is True or (directory is None and _is_directory_target(path_or_dir)):
        folder = Path(path_or_dir).expanduser()
        folder.mkdir(parents=True, exist_ok=True)
        base = safe_filename(stem)
        temp = _write_temp(folder, data, extension)
        try:
            for n in range(_MAX_SUFFIX):
                target = folder / (f"{base}{extension}" if n == 0 else f"{base}-{n}{extension}")
                try:
                    _publish_new(temp, target)
                except FileExistsError:
                    continue
                _fsync_dir(folder)
                return target
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        raise FileExistsError(errno.EEXIST, f"no free file name for {base}{extension} in {folder}")

    target = Path(path_or_dir).expanduser()
    wanted = _wanted_type(target)
    if wanted in _CONVERTIBLE and real in _DECODABLE and wanted != real:
        data, real, extension = _convert(data, wanted), wanted, target.suffix
    target = _fix_extension(target, real, extension)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not overwrite and target.exists():
        raise _exists(target)
    temp = _write_temp(target.parent, data, extension)
    try:
        if overwrite:
            os.replace(temp, target)
        else:
            try:
                _publish_new(temp, target)
            except FileExistsError:
                raise _exists(target) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    _fsync_dir(target.parent)
    return target


_CONVERTIBLE = frozenset({"image/png", "image/jpeg", "image/webp"})
"""Formats a file name may ask for: the image is converted to them."""
_DECODABLE = frozenset({"image/png", "image/jpeg", "image/webp", "image/bmp", "image/tiff"})
"""Raster formats converted on request (vector and animated results keep their format and extension)."""


def _wanted_type(path: Path) -> str | None:
    """The image type *path*'s extension names (``None``: no extension, or not an image type)."""
    if not path.suffix:
        return None
    try:
        media_type = normalize_media_type(path.suffix)
    except ValueError:
        return None
    return media_type if media_type.startswith("image/") else None


def convert_image(data: bytes, media_type: str) -> bytes:
    """*data* re-encoded as *media_type* (for a plugin whose service cannot be asked for a format)."""
    return _convert(data, media_type)


def _convert(data: bytes, media_type: str) -> bytes:
    """*data* re-encoded as *media_type* (``ValidationError`` when tryon cannot write that format)."""
    from tryon.media.inputs import image_from_bytes, open_image
    from tryon.media.prepare import _normalize_mode, encode_image

    image = image_from_bytes(data, name="image")
    with open_image(image) as pil:
        normalized, _ = _normalize_mode(pil, media_type)
        return encode_image(normalized, media_type)


def _exists(target: Path) -> FileExistsError:
    return FileExistsError(
        errno.EEXIST,
        f"{target} already exists; pass overwrite=True to replace it, or a directory to get a new name",
        str(target),
    )


def _fix_extension(path: Path, real: str | None, extension: str) -> Path:
    if real is None:
        return path if path.suffix else path.with_name(path.name + extension)
    if path.suffix:
        try:
            if normalize_media_type(path.suffix) == real:
                return path
        except ValueError:
            pass
        return path.with_suffix(extension)
    return path.with_name(path.name + extension)


# --------------------------------------------------------------------------- sidecars


def _is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key.strip().lower().replace("-", "_")))


def _scrub_text(text: str) -> str:
    text = _URL_USERINFO.sub(r"\1", text)
    text = _URL_SECRET_PARAM.sub(r"\1***", text)
    text = _BEARER.sub(r"\1 ***", text)
    return redact(text)


def scrub_metadata(value: Any) -> Any:
    """A JSON-ready copy of *value* without secrets.

    Keys named like credentials (``api_key``, ``authorization``, ``x-key``, ``token``,
    ``password``...) are dropped, :class:`~tryon.secrets.Secret` values are dropped, and
    every string passes through :func:`tryon.secrets.redact` (plus masking of bearer
    tokens, URL passwords and signature/key query parameters).
    """
    if isinstance(value, Secret):
        return None
    if isinstance(value, str):
        return _scrub_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {
            str(k): scrub_metadata(v)
            for k, v in value.items()
            if not _is_secret_key(str(k)) and not isinstance(v, Secret)
        }
    if isinstance(value, list | tuple):
        return [scrub_metadata(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((scrub_metadata(v) for v in value), key=repr)
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(value)} bytes>"
    if isinstance(value, enum.Enum):
        return scrub_metadata(value.value)
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, PurePath):
        return _scrub_text(str(value))
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return scrub_metadata(to_dict())
    if hasattr(type(value), "__attrs_attrs__"):
        import attrs

        return scrub_metadata(attrs.asdict(value, recurse=False))
    return _scrub_text(str(value))


def write_sidecar(image_path: str | os.PathLike[str], metadata: Mapping[str, Any], *,
                  overwrite: bool = False) -> Path:
    """Write *metadata* next to an image as ``<image file name>.json`` (``cat.png`` ->
    ``cat.png.json``) atomically: sorted keys, UTF-8, secrets removed by
    :func:`scrub_metadata`. An existing file of that name is never replaced unless
    ``overwrite=True`` (``FileExistsError`` says so; the image itself stays saved).
    """
    image = Path(image_path)
    target = image.with_name(image.name + ".json")
    text = json.dumps(scrub_metadata(dict(metadata)), sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _write_temp(target.parent, text.encode("utf-8"), ".json")
    try:
        if overwrite:
            os.replace(temp, target)
        else:
            try:
                _publish_new(temp, target)
            except FileExistsError:
                raise FileExistsError(
                    f"{target} already exists and was not overwritten; the image was saved as {image} "
                    "(move the old file away, or save with overwrite=True)") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    _fsync_dir(target.parent)
    return target
