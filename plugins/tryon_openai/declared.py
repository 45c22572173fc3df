"""The ``openai`` backend of models files: any OpenAI-compatible images endpoint (xAI, Recraft,
a local server) through this plugin's client, the official ``openai`` SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tryon.errors import InvalidOptionError
from tryon.provider_settings import base_url_from

from .generator import OpenAIImageGenerator, OpenAISettings

if TYPE_CHECKING:
    from tryon.declared import DeclaredModel

__all__ = ["declared_generator"]

OPENAI_HOST = "api.openai.com"
_ENDPOINT_FIELDS = frozenset({"extra_body", "organization", "project"})


def declared_generator(declared: DeclaredModel) -> OpenAIImageGenerator:
    """The generator of a model declared with ``backend = "openai"``.

    ``[models.endpoint]`` may hold ``extra_body`` (fields sent with every call, e.g.
    ``response_format = "b64_json"``), ``organization`` and ``project``. A ``base_url`` other
    than OpenAI's needs ``api_key_env``: an OpenAI key is never sent to another host.
    """
    endpoint = dict(declared.endpoint)
    for name in endpoint:
        if name not in _ENDPOINT_FIELDS:
            raise declared.error(f"endpoint.{name}", f"unknown field; the openai backend takes "
                                 f"{', '.join(sorted(_ENDPOINT_FIELDS))}")
    extra: Any = endpoint.get("extra_body", {})
    if not isinstance(extra, dict):
        raise declared.error("endpoint.extra_body", "must be a table of body fields")
    for name in ("organization", "project"):
        if name in endpoint and not isinstance(endpoint[name], str):
            raise declared.error(f"endpoint.{name}", "must be a string")
    base_url = None
    if declared.base_url is not None:
        try:
            base_url = base_url_from(declared.base_url, "", declared.base_url)
        except InvalidOptionError as exc:
            raise declared.error("base_url", exc.problems[0].message if exc.problems else exc.message) from None
        from tryon.urls import parse_url

        host = parse_url(base_url).origin[1]
        if host != OPENAI_HOST and declared.api_key_env is None:
            raise declared.error("api_key_env", f"{host} is not OpenAI: name the variable holding its key "
                                 "(api_key_env = \"...\"), so that no OpenAI key is sent there")
    settings = OpenAISettings(api_key_env=declared.api_key_env, provider=declared.provider, base_url=base_url,
                              organization=endpoint.get("organization"), project=endpoint.get("project"))
    return OpenAIImageGenerator(declared.id, declared.capabilities, settings, provider=declared.provider,
                                wire_model=declared.model, extra_body=extra,
                                option_names=declared.option_names)
