"""Progress display for imports and exports: a rich progress bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

STAGES = {
    "read": "Läser fil",
    "validate": "Kontrollerar rader",
    "write": "Skriver",
    "index": "Bygger index",
    "merge": "Sammanfogar",
    "export": "Exporterar",
}


@contextmanager
def progress_bar(stream=None):
    """Yield a callback ``(stage, done, total)``. Plain lines (one per stage start) when not a terminal."""
    stream = stream or sys.stderr
    if not stream.isatty():
        started = set()

        def plain(stage: str, done: int, total: int) -> None:
            if stage not in started:
                started.add(stage)
                count = f" ({total} rader)" if stage in ("read", "validate", "write") else ""
                print(f"{STAGES.get(stage, stage)} …{count}", file=stream, flush=True)

        yield plain
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update
