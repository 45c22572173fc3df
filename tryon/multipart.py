"""``multipart/form-data`` bodies for REST plugins, with or without file parts.

:func:`tryon.http.send` takes ``multipart={...}`` and sends the fields as a multipart form
whether or not any of them is a file (``requests`` alone falls back to a URL-encoded body
when there is no file, which APIs that only read multipart reject)::

    send(session, "POST", url, provider="acme", multipart={
        "prompt": request.prompt,                 # a text field
        "seed": 7,                                # numbers and booleans become text
        "image": FilePart.of(request.images[0]),  # a file part (an InputImage or bytes)
        "style": None,                            # None: the field is left out
        "tags": ["a", "b"],                       # a list: the field repeated
    })

:func:`encode` builds the body itself, for tests or other HTTP clients.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from tryon.media.inputs import InputImage

__all__ = ["FieldValue", "FilePart", "encode"]


@attrs.frozen
class FilePart:
    """One file of a multipart form: its bytes, file name and media type."""

    data: bytes = attrs.field(repr=lambda d: f"<{len(d)} bytes>", validator=attrs.validators.instance_of(bytes))
    filename: str = "file"
    content_type: str = "application/octet-stream"

    @classmethod
    def of(cls, image: InputImage | bytes, filename: str | None = None,
           content_type: str | None = None) -> FilePart:
        """A file part from an input image the router prepared (its bytes and media type, a file
        name with the matching extension) or from raw bytes."""
        if isinstance(image, bytes | bytearray | memoryview):
            return cls(bytes(image), filename or "file", content_type or "application/octet-stream")
        media_type = content_type or image.media_type
        extension = media_type.rsplit("/", 1)[-1].replace("jpeg", "jpg").split("+")[0]
        return cls(image.data, filename or f"image.{extension}", media_type)


FieldValue = str | int | float | bool | FilePart | None
"""A value of one form field; a sequence of them repeats the field."""


def _text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"multipart field {name!r}: {value!r} is not a finite number")
    if isinstance(value, float):  # plain decimal: 1e-05 is sent as 0.00001 (forms parse no exponents)
        text = str(value)
        return format(Decimal(text), "f") if "e" in text else text
    if isinstance(value, int | str):
        return str(value)
    raise TypeError(f"multipart field {name!r}: {type(value).__name__} is not a form value "
                    "(use str, int, float, bool, tryon.multipart.FilePart or a list of them)")


def encode(fields: Mapping[str, FieldValue | Sequence[FieldValue]], *,
           boundary: str | None = None) -> tuple[bytes, str]:
    """``(body, content_type)`` of a ``multipart/form-data`` form holding *fields* in order.

    ``None`` values are left out; a list or tuple repeats its field; :class:`FilePart` values
    become file parts, everything else a text part. A form with no field at all is still a
    valid (empty) multipart body.
    """
    from urllib3.fields import RequestField
    from urllib3.filepost import choose_boundary, encode_multipart_formdata

    parts: list[RequestField] = []
    for name, value in fields.items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item is None:
                continue
            if isinstance(item, FilePart):
                part = RequestField(name=name, data=item.data, filename=item.filename)
                part.make_multipart(content_type=item.content_type)
            else:
                part = RequestField(name=name, data=_text(name, item))
                part.make_multipart(content_type=None)
            parts.append(part)
    boundary = boundary or choose_boundary()
    if not parts:
        return f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
    return encode_multipart_formdata(parts, boundary=boundary)
