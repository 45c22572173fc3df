"""Checks a backend factory shares: where the key goes, and what each endpoint field carries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from tryon.declared.loader import DeclaredModel

__all__ = ["check_key_host", "check_wire_names", "require_output_formats"]


def check_key_host(declared: DeclaredModel, default_url: str, key_env: str) -> None:
    """Refuse a ``base_url`` on another host than *default_url* without ``api_key_env``: the
    provider's own key (*key_env*) is never sent to a host it does not belong to."""
    if declared.base_url is None or declared.api_key_env is not None:
        return
    host = (urlsplit(declared.base_url).hostname or "").lower()
    if host != (urlsplit(default_url).hostname or "").lower():
        raise declared.error("api_key_env", f"{host or declared.base_url!r} is not {default_url}: name the "
                             f"variable holding its key (api_key_env = \"...\"), so that {key_env} is not sent there")


def require_output_formats(declared: DeclaredModel) -> None:
    """Refuse an entry that does not say which formats the endpoint returns (tryon would assume png)."""
    if "output_formats" not in declared.fields:
        raise declared.error("output_formats", "declare the formats the endpoint returns (output_formats = "
                             "[\"png\", ...]); without it tryon would expect png and could pay for an answer "
                             "it then refuses")


def check_wire_names(declared: DeclaredModel, mapped: Mapping[str, str], fixed: Mapping[str, Any]) -> None:
    """Refuse two sources for one endpoint field: a declared option or a ``fixed`` field sent under the
    name of a mapped input (*mapped*: tryon's field -> the endpoint's name), or two options under one name."""
    taken = {wire: f"endpoint.inputs.{field}" for field, wire in mapped.items()}
    for name in fixed:
        if name in taken:
            raise declared.error(f"endpoint.inputs.fixed.{name}", f"{name!r} already carries the request's "
                                 f"{taken[name].rsplit('.', 1)[1]}: a fixed value would silently replace it")
    owners: dict[str, str] = {}
    for option, wire in declared.option_names.items():
        field = f"options.{option}.send_as" if wire != option else f"options.{option}"
        if wire in taken:
            raise declared.error(field, f"{wire!r} already carries the request's {taken[wire].rsplit('.', 1)[1]}; "
                                 "send the option under another name")
        if wire in fixed:
            raise declared.error(field, f"{wire!r} is a fixed field (endpoint.inputs.fixed); send the option "
                                 "under another name or drop the fixed value")
        if wire in owners:
            raise declared.error(field, f"{wire!r} is also where option {owners[wire]!r} is sent")
        owners[wire] = option
