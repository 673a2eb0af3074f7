"""Just enough PDF reading for the report tests (no PDF library is installed).

WeasyPrint writes most objects into compressed object streams, so every FlateDecode stream is
inflated and searched together with the uncompressed parts of the file.
"""

from __future__ import annotations

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n")


def object_text(pdf: bytes) -> str:
    """The file's uncompressed text plus every inflated stream, as Latin-1 text for searching."""
    parts = [re.sub(rb"stream\r?\n.*?endstream", b"", pdf, flags=re.S)]
    for match in _STREAM.finditer(pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"\n".join(parts).decode("latin-1")


def decode_string(token: str) -> str:
    """A PDF string token: ``(literal)`` or ``<hex>`` (UTF-16BE with a BOM, or PDFDocEncoding)."""
    if token.startswith("<"):
        raw = bytes.fromhex(re.sub(r"\s", "", token[1:-1]))
        if raw.startswith(b"\xfe\xff"):
            return raw[2:].decode("utf-16-be")
        return raw.decode("latin-1")
    body = token[1:-1]
    body = re.sub(r"\\([0-7]{1,3})", lambda m: chr(int(m.group(1), 8)), body)
    return re.sub(r"\\(.)", r"\1", body)


_STRING = r"(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)"


def outline_titles(pdf: bytes) -> list[str]:
    """The titles of all bookmarks (outline items have a /Title and a /Parent)."""
    text = object_text(pdf)
    return [
        decode_string(m.group(1))
        for m in re.finditer(r"<</Title " + _STRING + r"([^\n]*?)>>", text)
        if "/Parent" in m.group(2)
    ]


def figure_alts(pdf: bytes) -> list[str]:
    text = object_text(pdf)
    return [decode_string(m.group(1)) for m in re.finditer(r"/S /Figure[^\n]*?/Alt " + _STRING, text)]


def catalog(pdf: bytes) -> str:
    match = re.search(r"<</Type /Catalog.*", object_text(pdf))
    assert match, "no /Catalog object found"
    return match.group(0)


def info_title(pdf: bytes) -> str:
    match = re.search(r"/Producer \(WeasyPrint[^)]*\)/Title " + _STRING, object_text(pdf))
    return decode_string(match.group(1)) if match else ""
