"""The ``fal`` backend of models files: any fal endpoint, declared without code.

A ``[[models]]`` entry with ``backend = "fal"`` names the endpoint id as ``model`` (the generate
endpoint, or the edit endpoint of an edit-only model) and, in ``[models.endpoint]``:

- ``edit``: the edit endpoint's id, for a model that also generates (``operations`` has both);
- ``inputs``: the endpoint's names for tryon's request fields — ``images`` (with ``images_list =
  false`` for an endpoint taking one image URL), ``mask`` with ``mask_edit`` (``"white"`` or
  ``"black"``: which colour marks the area to change), ``size`` (``"image_size"`` for a
  ``{width, height}`` object, ``"aspect_ratio"``, or ``"none"``) with ``presets = true`` to send
  fal's preset sizes by name, ``n``, ``seed``, ``output_format``, and ``fixed`` (fields sent with
  every request). The defaults are fal's usual names: ``image_size``, ``num_images``, ``seed``,
  ``output_format``; an edit model must name ``images``.

``base_url`` and ``api_key_env`` replace https://queue.fal.run and ``FAL_KEY``; declared options
go under their ``send_as`` names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tryon.capabilities import Operation
from tryon.errors import InvalidOptionError

from .endpoints import Endpoint, FalModel
from .generator import FalGenerator
from .settings import FalSettings

if TYPE_CHECKING:
    from tryon.declared import DeclaredModel

__all__ = ["INPUT_FIELDS", "declared_generator"]

INPUT_FIELDS = frozenset({"images", "images_list", "mask", "mask_edit", "size", "presets", "n", "seed",
                          "output_format", "fixed"})
_ENDPOINT_FIELDS = frozenset({"edit", "inputs"})
_ID = r"^[\w.-]+/[\w.-]+(/[\w.-]+)*$"


def _inputs(declared: DeclaredModel, table: Any) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise declared.error("endpoint.inputs", "must be a table naming the endpoint's input fields")
    out: dict[str, Any] = {}
    for name, value in table.items():
        field = f"endpoint.inputs.{name}"
        if name not in INPUT_FIELDS:
            raise declared.error(field, f"unknown input; known: {', '.join(sorted(INPUT_FIELDS))}")
        if name in ("images_list", "presets"):
            if not isinstance(value, bool):
                raise declared.error(field, "must be true or false")
        elif name == "fixed":
            if not isinstance(value, dict):
                raise declared.error(field, "must be a table of fields sent with every request")
        elif name == "mask_edit":
            if value not in ("white", "black"):
                raise declared.error(field, "must be \"white\" or \"black\" (the colour that marks the edit area)")
        elif name == "size":
            if value not in ("image_size", "aspect_ratio", "none"):
                raise declared.error(field, "must be \"image_size\", \"aspect_ratio\" or \"none\"")
        elif not isinstance(value, str) or not value:
            raise declared.error(field, "must be the name of the endpoint's input field")
        out[name] = value
    return out


def _endpoint(declared: DeclaredModel, path: str, inputs: dict[str, Any], *, edit: bool) -> Endpoint:
    caps = declared.capabilities
    fields: dict[str, Any] = {
        "size": None if inputs.get("size") == "none" else inputs.get("size", "image_size"),
        "presets": inputs.get("presets", False),
        "n": inputs.get("n", "num_images" if caps.max_images_per_call > 1 else None),
        "seed": inputs.get("seed", "seed" if caps.seed else None),
        "output_format": inputs.get("output_format", "output_format"),
        "fixed": inputs.get("fixed", {}),
        "wire_names": dict(declared.option_names),
    }
    if edit:
        fields.update(images=inputs["images"], single_image=not inputs.get("images_list", True),
                      mask=inputs.get("mask"), mask_edit=inputs.get("mask_edit", "white"))
    try:
        return Endpoint(path=path, **fields)
    except (TypeError, ValueError) as exc:
        raise declared.error("model" if not edit else "endpoint.edit", str(exc)) from None


def declared_generator(declared: DeclaredModel) -> FalGenerator:
    """The generator of a model declared with ``backend = "fal"`` (sends nothing)."""
    import re

    endpoint = dict(declared.endpoint)
    for name in endpoint:
        if name not in _ENDPOINT_FIELDS:
            raise declared.error(f"endpoint.{name}", f"unknown field; the fal backend takes "
                                 f"{', '.join(sorted(_ENDPOINT_FIELDS))}")
    if not re.match(_ID, declared.model):
        raise declared.error("model", f"must be a fal endpoint id such as fal-ai/flux/dev, not {declared.model!r}")
    caps = declared.capabilities
    if Operation.TRY_ON in caps.operations and (caps.try_on is None or not caps.try_on.composed):
        raise declared.error("operations", "the fal backend serves generate and edit (try-on by composition only)")
    inputs = _inputs(declared, endpoint.get("inputs", {}))
    if caps.can_edit and "images" not in inputs:
        raise declared.error("endpoint.inputs.images", "an edit model needs the name of its image input")
    if caps.mask and "mask" not in inputs:
        raise declared.error("endpoint.inputs.mask", "mask = true needs the name of the endpoint's mask input")
    edit_path = endpoint.get("edit")
    if edit_path is not None and (not isinstance(edit_path, str) or not re.match(_ID, edit_path)):
        raise declared.error("endpoint.edit", "must be the edit endpoint's id")
    if caps.can_edit and caps.can_generate and edit_path is None:
        raise declared.error("endpoint.edit", "a model that generates and edits needs its edit endpoint's id")
    generate = _endpoint(declared, declared.model, inputs, edit=False) if caps.can_generate else None
    edit = _endpoint(declared, edit_path or declared.model, inputs, edit=True) if caps.can_edit else None
    changes: dict[str, Any] = {}
    if declared.base_url is not None:
        changes["base_url"] = declared.base_url
    if declared.api_key_env is not None:
        changes["api_key_env"] = declared.api_key_env
    try:
        settings = FalSettings.build(**changes)
        settings.resolved_base_url()
    except InvalidOptionError as exc:
        raise declared.error("base_url", exc.problems[0].message if exc.problems else exc.message) from None
    model = FalModel(model_id=declared.id, capabilities=caps, generate=generate, edit=edit,
                     aliases=declared.aliases, endpoint_aliases=False)
    return FalGenerator(model, settings, provider=declared.provider)
