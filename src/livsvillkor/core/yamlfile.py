"""Reading YAML configuration files with errors that name the file, the line and the key path.

Every YAML file the project loads (målbild, indicator catalogue, area definitions, import mappings)
goes through :func:`load_validated`, so a broken file always gives the same kind of message::

    frameworks/boras.yaml:57: target_areas[0].effect_goals[2].code: duplicate effect goal code '1.2'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from livsvillkor.core.errors import InputError, Problem

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass
class LineIndex:
    """Maps a key path (``("target_areas", 0, "code")``) to the 1-based line it was written on."""

    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Iterable[str | int]) -> int | None:
        path = tuple(loc)
        # Walk up until a path that exists: a missing key is reported at its parent.
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def format_loc(loc: Iterable[str | int]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


class _LineLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key '{key}' (first given on line {seen[key]})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _index_node(node: yaml.Node, path: Loc, index: LineIndex) -> None:
    index.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            child = (*path, key)
            index.lines[child] = key_node.start_mark.line + 1
            _index_node(value_node, child, index)
            index.lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_node(item, (*path, i), index)


def load_yaml(path: str | Path) -> tuple[Any, LineIndex]:
    """Parse a YAML file, returning the data and an index of lines by key path."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        node = yaml.compose(text, Loader=_LineLoader)
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or str(exc)
        raise InputError(
            f"{path}: invalid YAML",
            [Problem(where=f"{path}:{line}" if line else str(path), message=problem)],
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: invalid YAML: {exc}") from exc
    index = LineIndex()
    if node is not None:
        _index_node(node, (), index)
    return data, index


def problem_at(path: Path, index: LineIndex, loc: Loc, message: str) -> Problem:
    line = index.line_of(loc)
    where = f"{path}:{line}" if line else str(path)
    return Problem(where=where, field=format_loc(loc), message=message)


def load_validated(path: str | Path, model: type[M]) -> tuple[M, LineIndex]:
    """Parse and validate a YAML file against a pydantic model; errors name file, line and key path."""
    path = Path(path)
    data, index = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping at the top level", [])
    try:
        return model.model_validate(data), index
    except ValidationError as exc:
        problems = [problem_at(path, index, tuple(err["loc"]), err["msg"]) for err in exc.errors()]
        raise InputError(f"{path}: {len(problems)} problem(s) in the file", problems) from exc
