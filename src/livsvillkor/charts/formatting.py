"""Swedish number formatting: decimal comma, narrow no-break space between thousands, ``..`` for
suppressed values (the Swedish official-statistics convention) and ``–`` for missing ones."""

from __future__ import annotations

import math

SUPPRESSED = ".."
MISSING = "–"
THOUSANDS = "\u202f"  # narrow no-break space, as in Swedish typography


def format_number(value: float | None, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    text = f"{value:,.{decimals}f}"
    return text.replace(",", THOUSANDS).replace(".", ",").replace("-", "−")


def format_value(value: float | None, decimals: int = 1, unit: str = "", suppressed: bool = False) -> str:
    """``23,4 %``, ``1 234 st`` or ``..`` for a suppressed cell."""
    if suppressed:
        return SUPPRESSED
    number = format_number(value, decimals)
    if number == MISSING or not unit:
        return number
    return f"{number}\u00a0{unit}"
