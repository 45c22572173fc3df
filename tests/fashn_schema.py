"""FASHN's request and answer types from its official Python SDK (``fashn``), as a validator.

The SDK is generated from FASHN's OpenAPI spec: its ``TypedDict`` request params name every field of
each model's ``inputs`` with its type and ``Literal`` values, and its pydantic answer models the run
and status answers. Tests validate every body the plugin sends, and every answer the emulator gives,
against these types (unknown fields are problems here, as the emulator treats them).
"""

from __future__ import annotations

import typing
from typing import Any, NotRequired, Required

from typing_extensions import is_typeddict


def _unwrap(hint: Any) -> tuple[Any, bool | None]:
    origin = typing.get_origin(hint)
    if origin is Required:
        return typing.get_args(hint)[0], True
    if origin is NotRequired:
        return typing.get_args(hint)[0], False
    return hint, None


def _value_problems(where: str, hint: Any, value: Any) -> list[str]:
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return [] if value in typing.get_args(hint) else [f"{where}: {value!r} is not one of {typing.get_args(hint)}"]
    if is_typeddict(hint):
        return typeddict_problems(hint, value, where)
    if hint is bool:
        return [] if isinstance(value, bool) else [f"{where}: not a boolean"]
    if hint is int:
        return [] if isinstance(value, int) and not isinstance(value, bool) else [f"{where}: not an integer"]
    if hint is str:
        return [] if isinstance(value, str) else [f"{where}: not a string"]
    return []


def typeddict_problems(cls: Any, value: Any, where: str = "body") -> list[str]:
    """What in *value* does not fit the SDK's TypedDict *cls* (unknown keys included)."""
    if not isinstance(value, dict):
        return [f"{where}: not an object"]
    hints = typing.get_type_hints(cls, include_extras=True)
    problems = [f"{where}.{k}: unknown field" for k in value if k not in hints]
    for name, hint in hints.items():
        inner, required = _unwrap(hint)
        if required is None:
            required = name in cls.__required_keys__
        if name not in value:
            if required:
                problems.append(f"{where}.{name}: required")
            continue
        problems.extend(_value_problems(f"{where}.{name}", inner, value[name]))
    return problems


def run_body_problems(body: Any) -> list[str]:
    """Problems of a ``/v1/run`` body against the SDK's request type for its ``model_name``."""
    from fashn.types import prediction_run_params as params

    classes = {"tryon-v1.6": params.TryOnRequest, "tryon-max": params.TryOnMaxRequest}
    model = body.get("model_name") if isinstance(body, dict) else None
    if model not in classes:
        return [f"model_name {model!r} is not a try-on model of the SDK"]
    return typeddict_problems(classes[model], body)


def answer_problems(path: str, status: int, data: Any) -> list[str]:
    """Problems of a 2xx answer against the SDK's pydantic models (run or status)."""
    import pydantic
    from fashn.types import PredictionRunResponse, PredictionStatusResponse

    model = PredictionRunResponse if path == "/v1/run" else PredictionStatusResponse
    if status >= 300:
        return [] if isinstance(data, dict) and isinstance(data.get("error"), str) and "message" in data else [
            f"{path}: an error answer is not FASHN's {{error, message}}"]
    try:
        parsed = model.model_validate(data, strict=False)
    except pydantic.ValidationError as exc:
        return [f"{path}: {exc}"]
    extra = set(data) - set(type(parsed).model_fields)
    return [f"{path}: unknown answer fields {sorted(extra)}"] if extra else []
