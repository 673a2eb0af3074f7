"""Import sources for ``livsvillkor import <source> …``: one module per source, found automatically.

A module in this package becomes a subcommand by defining ``IMPORTER``, an object with ``name``,
``help``, ``add_arguments(parser)`` and ``run(options, progress) -> str`` (the summary printed). Adding
a source (``kolada``, ``pxweb`` …) is adding a module; nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Protocol


class Importer(Protocol):
    name: str
    help: str

    def add_arguments(self, parser) -> None: ...

    def run(self, options: dict, progress) -> str: ...


def registry() -> dict[str, Importer]:
    found: dict[str, Importer] = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        imported = importlib.import_module(f"{__name__}.{module.name}")
        importer = getattr(imported, "IMPORTER", None)
        if importer is not None:
            if importer.name in found:
                raise RuntimeError(f"two importers named {importer.name!r}")
            found[importer.name] = importer
    return found
