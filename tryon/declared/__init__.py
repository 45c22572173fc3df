"""Models declared in a TOML file: extra models without code, checked like first-party ones.

A models file (``TRYON_MODELS_FILE``, else ``$XDG_CONFIG_HOME/tryon/models.toml``, else
``~/.config/tryon/models.toml``) lists ``[[models]]`` entries. Each names a **backend kind**
(``openai`` for any OpenAI-compatible images endpoint, ``replicate``, ``fal``, ... — whatever
the installed plugins register), where the model is served (``base_url``, ``api_key_env``,
``model``) and its capabilities in the plugins' vocabulary, with a source for each fact.
The router loads the file after the plugins: each entry is validated on its own, an entry
that is wrong is reported (a :class:`~tryon.plugins.PluginWarning` and ``tryon plugins``, with
the file, the line and the field) and the others still load. See docs/models-file.md.

Plugins serve a backend kind through the ``register_backends(register)`` hook::

    @tryon.hookimpl
    def register_backends(register):
        register("replicate", make_generator)   # make_generator(declared: DeclaredModel) -> ImageGenerator
"""

from __future__ import annotations

from tryon.declared.build import EntryError, FieldProblem
from tryon.declared.loader import (
    DEFAULT_FILE_ENV,
    BackendFactory,
    DeclaredModel,
    ModelsFileError,
    backend_factories,
    default_models_file,
    models_file_paths,
    read_models_file,
    register_declared,
)

__all__ = [
    "DEFAULT_FILE_ENV",
    "BackendFactory",
    "DeclaredModel",
    "EntryError",
    "FieldProblem",
    "ModelsFileError",
    "backend_factories",
    "default_models_file",
    "models_file_paths",
    "read_models_file",
    "register_declared",
]
