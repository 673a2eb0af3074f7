"""Reading PX files (the PC-Axis format behind every PxWeb database).

A PX file is a list of ``KEYWORD[lang]("arg", …)=value;`` entries followed by ``DATA=`` and the cells.
Values are quoted strings (a long list may continue over several lines; adjacent quoted pieces on a
line break are joined), numbers, ``YES``/``NO`` or ``TLIST(…)``. The cells run row-major over the
STUB variables then the HEADING variables (the last heading variable fastest). Quoted cells such as
``".."`` are status symbols (``DATASYMBOL1``–``6``, ``DATASYMBOLNIL``, ``DATASYMBOLSUM``).

Files declare ``CODEPAGE`` (usually iso-8859-1); some are re-saved as UTF-8 without changing it, so
UTF-8 is tried first and the declared code page is the fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .base import SourceError

_KEY = re.compile(r"^\s*([A-Z0-9-]+)(?:\[([A-Za-z_-]+)\])?(?:\((.*)\))?\s*$", re.S)
_QUOTED = re.compile(r'"((?:[^"]|"")*)"')


@dataclass
class PxFile:
    keywords: dict[tuple[str, str | None, tuple[str, ...]], object] = field(default_factory=dict)
    cells: list[str] = field(default_factory=list)
    language: str | None = None
    languages: list[str] = field(default_factory=list)

    def get(self, key: str, *args: str, lang: str | None = None, default=None):
        lang_key = None if lang in (None, self.language) else lang
        return self.keywords.get((key, lang_key, tuple(args)), default)

    def variables(self, lang: str | None = None) -> tuple[list[str], list[str]]:
        stub = _list(self.get("STUB", lang=lang, default=[]))
        heading = _list(self.get("HEADING", lang=lang, default=[]))
        return stub, heading

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """A tidy table: one column per variable (its CODES, or VALUES when there are none), value, status."""
        stub, heading = self.variables(lang)
        names = stub + heading
        if not names:
            raise SourceError("PX file has neither STUB nor HEADING")
        codes_per_var: list[list[str]] = []
        columns: list[str] = []
        labels: dict[str, dict[str, str]] = {}
        for name in names:
            values = _list(self.get("VALUES", name, lang=lang, default=[]))
            codes = _list(self.get("CODES", name, lang=lang, default=[])) or values
            if not values:
                raise SourceError(f"PX file: variable {name!r} has no VALUES")
            if len(codes) != len(values):
                raise SourceError(
                    f"PX file: variable {name!r} has {len(codes)} CODES but {len(values)} VALUES"
                )
            column = str(self.get("VARIABLECODE", name, lang=lang, default=name))
            columns.append(column)
            codes_per_var.append(codes)
            labels[column] = dict(zip(codes, values, strict=True))
        sizes = [len(c) for c in codes_per_var]
        n = int(np.prod(sizes))
        if len(self.cells) != n:
            raise SourceError(f"PX file: DATA has {len(self.cells)} cells but the variables give {n}")
        symbols = {
            str(self.get(k, default=""))
            for k in (*(f"DATASYMBOL{i}" for i in range(1, 7)), "DATASYMBOLNIL", "DATASYMBOLSUM")
        }
        symbols |= {"..", ".", "...", "....", ".....", "......", "-"}
        symbols.discard("")
        values = np.full(n, np.nan)
        status = np.full(n, "", dtype=object)
        for i, cell in enumerate(self.cells):
            text = cell.strip('"')
            if cell.startswith('"') or text in symbols:
                status[i] = text
                if text not in symbols:
                    try:
                        values[i] = float(text)
                        status[i] = ""
                    except ValueError:
                        pass
                continue
            try:
                values[i] = float(text)
            except ValueError as exc:
                raise SourceError(f"PX file: DATA cell {i + 1} is not a number: {cell!r}") from exc
        data: dict[str, object] = {}
        repeat = n
        for column, codes in zip(columns, codes_per_var, strict=True):
            repeat //= len(codes)
            tile = n // (repeat * len(codes))
            data[column] = np.tile(np.repeat(np.array(codes, dtype=object), repeat), tile)
        data["value"] = values
        data["status"] = status
        frame = pd.DataFrame(data)
        for column in [*columns, "status"]:
            frame[column] = frame[column].astype("string")
        frame.attrs["labels"] = labels
        frame.attrs["title"] = str(self.get("TITLE", lang=lang, default=""))
        frame.attrs["source"] = str(self.get("SOURCE", lang=lang, default=""))
        return frame


def _list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    match = re.search(rb'CODEPAGE\s*=\s*"([^"]+)"', raw[:5000])
    codepage = match.group(1).decode("ascii", "replace") if match else "iso-8859-1"
    try:
        return raw.decode(codepage)
    except (LookupError, UnicodeDecodeError):
        return raw.decode("iso-8859-1")


def _split_entries(text: str) -> tuple[list[str], str]:
    """Split the header into ``KEY=value`` entries on semicolons outside quotes; return the data part."""
    entries: list[str] = []
    buf: list[str] = []
    in_quote = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            in_quote = not in_quote
        if ch == ";" and not in_quote:
            entry = "".join(buf).strip()
            buf = []
            if entry:
                if re.match(r"^DATA\s*=", entry):
                    # DATA is the last keyword; everything after "DATA=" up to its ";" is cells
                    return entries, entry.split("=", 1)[1]
                entries.append(entry)
        else:
            buf.append(ch)
        i += 1
    rest = "".join(buf).strip()
    if re.match(r"^DATA\s*=", rest):
        return entries, rest.split("=", 1)[1]
    raise SourceError("PX file has no DATA section")


def _parse_value(raw: str):
    raw = raw.strip()
    if raw.startswith("TLIST("):
        head, _, rest = raw.partition(")")
        values = [m.replace('""', '"') for m in _QUOTED.findall(rest)]
        return {"tlist": head[len("TLIST(") :], "values": values}
    if raw.startswith('"'):
        # Pieces: "a","b" is a list; "abc" "def" across a line break is one continued string.
        items: list[str] = []
        pos = 0
        current: str | None = None
        while pos < len(raw):
            m = _QUOTED.match(raw, pos)
            if not m:
                pos += 1
                continue
            piece = m.group(1).replace('""', '"')
            current = piece if current is None else current + piece
            pos = m.end()
            j = pos
            while j < len(raw) and raw[j] in " \t\r\n":
                j += 1
            if j < len(raw) and raw[j] == ",":
                items.append(current)
                current = None
                pos = j + 1
            else:
                pos = j
        if current is not None:
            items.append(current)
        return items[0] if len(items) == 1 else items
    if raw in ("YES", "NO"):
        return raw == "YES"
    try:
        return int(raw)
    except ValueError:
        return raw


def parse(source: str | Path | bytes) -> PxFile:
    raw = Path(source).read_bytes() if isinstance(source, str | Path) else source
    text = _decode(raw)
    entries, data_text = _split_entries(text)
    px = PxFile()
    for entry in entries:
        key_part, sep, value = entry.partition("=")
        if not sep:
            raise SourceError(f"PX file: entry without '=': {entry[:60]!r}")
        m = _KEY.match(key_part)
        if not m:
            raise SourceError(f"PX file: cannot read keyword {key_part[:60]!r}")
        keyword, lang, args = m.group(1), m.group(2), m.group(3)
        arg_tuple = tuple(a.replace('""', '"') for a in _QUOTED.findall(args)) if args else ()
        px.keywords[(keyword, lang, arg_tuple)] = _parse_value(value)
    px.language = str(px.keywords.get(("LANGUAGE", None, ()), "")) or None
    px.languages = _list(px.keywords.get(("LANGUAGES", None, ()), []))
    # STUB/HEADING/VALUES given as one string mean a single-item list
    for key in list(px.keywords):
        if key[0] in ("STUB", "HEADING", "VALUES", "CODES") and isinstance(px.keywords[key], str):
            px.keywords[key] = [px.keywords[key]]
    px.cells = re.findall(r'"[^"]*"|[^\s,;]+', data_text)
    return px


def read_px(path: str | Path, lang: str | None = None) -> pd.DataFrame:
    return parse(path).to_frame(lang)
