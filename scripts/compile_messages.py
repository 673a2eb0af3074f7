"""Compile the translation catalogues (.po -> .mo) without GNU gettext, so a fresh machine needs none."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "src" / "livsvillkor"

for po_path in sorted(ROOT.glob("**/locale/*/LC_MESSAGES/*.po")):
    po = polib.pofile(str(po_path))
    po.save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"messages: {po_path.relative_to(ROOT)} ({po.percent_translated()} % translated)")
