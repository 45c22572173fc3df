"""The ``replicate`` backend of models files: any model on Replicate, declared without code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tryon.errors import InvalidOptionError

from .generator import ReplicateGenerator
from .inputs import INPUT_MAP_FIELDS, InputMap
from .settings import ReplicateSettings

if TYPE_CHECKING:
    from tryon.declared import DeclaredModel

__all__ = ["declared_generator"]

_ENDPOINT_FIELDS = frozenset({"inputs", "version"})
_MAPS = frozenset({"size_mode", "formats", "fixed"})


def _input_map(declared: DeclaredModel, table: Any) -> InputMap:
    if not isinstance(table, dict):
        raise declared.error("endpoint.inputs", "must be a table naming the model's inputs")
    values: dict[str, Any] = {}
    for name, value in table.items():
        field = f"endpoint.inputs.{name}"
        if name not in INPUT_MAP_FIELDS:
            raise declared.error(field, f"unknown input; known: {', '.join(sorted(INPUT_MAP_FIELDS))}")
        if name in _MAPS:
            if not isinstance(value, dict):
                raise declared.error(field, "must be a table")
        elif name == "images_list":
            if not isinstance(value, bool):
                raise declared.error(field, "must be true or false")
        elif not isinstance(value, str) or not value:
            raise declared.error(field, "must be the name of the model's input field")
        values[name] = value
    caps = declared.capabilities
    if caps.can_edit and "images" not in values:
        raise declared.error("endpoint.inputs.images", "an edit model needs the name of its image input")
    if caps.max_images_per_call > 1 and "n" not in values:
        raise declared.error("endpoint.inputs.n", "max_images_per_call > 1 needs the model's count input (n = ...)")
    if caps.seed and "seed" not in values:
        raise declared.error("endpoint.inputs.seed", "seed = true needs the model's seed input (seed = ...)")
    return InputMap(**values)


def declared_generator(declared: DeclaredModel) -> ReplicateGenerator:
    """The generator of a model declared with ``backend = "replicate"``.

    ``model`` is the ``owner/name`` on Replicate; ``[models.endpoint]`` holds ``inputs`` (an
    :class:`~tryon_replicate.inputs.InputMap`: the model's names for prompt, images, n, seed,
    aspect ratio, width/height...) and optionally ``version`` (a version id, for models that are
    not official). ``base_url`` and ``api_key_env`` replace https://api.replicate.com and
    ``REPLICATE_API_TOKEN``.
    """
    endpoint = dict(declared.endpoint)
    for name in endpoint:
        if name not in _ENDPOINT_FIELDS:
            raise declared.error(f"endpoint.{name}", f"unknown field; the replicate backend takes "
                                 f"{', '.join(sorted(_ENDPOINT_FIELDS))}")
    owner, slash, name = declared.model.partition("/")
    if not (owner and slash and name) or "/" in name:
        raise declared.error("model", f"must be the model's owner/name on Replicate, not {declared.model!r}")
    version = endpoint.get("version")
    if version is not None and (not isinstance(version, str) or not version.isalnum()):
        raise declared.error("endpoint.version", "must be a version id (letters and digits)")
    inputs = _input_map(declared, endpoint.get("inputs", {}))
    changes: dict[str, Any] = {}
    if declared.base_url is not None:
        changes["base_url"] = declared.base_url
    if declared.api_key_env is not None:
        changes["api_key_env"] = declared.api_key_env
    try:
        settings = ReplicateSettings.build(**changes)
        settings.resolved_base_url()
    except InvalidOptionError as exc:
        raise declared.error("base_url", exc.problems[0].message if exc.problems else exc.message) from None
    return ReplicateGenerator(declared.id, declared.model, declared.capabilities, inputs, settings,
                              version=version, provider=declared.provider, option_names=declared.option_names)
