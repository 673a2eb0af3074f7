"""``import kolada --kpi N02267,N01984 --municipality 1490 --years 2015-2025 [--cache DIR]``.

Fetches values from Kolada (API v3) through :class:`livsvillkor.sources.kolada.KoladaClient` and
imports them as one batch. Each KPI must belong to a catalogue indicator (``Indicator.kolada_id``);
Kolada's gender T/K/M becomes the total and the ``sex`` categories ``women``/``men``; values Kolada
publishes as preliminary are flagged ``preliminary``. The batch is credited "Källa: Kolada".
"""

from __future__ import annotations

import pandas as pd

from livsvillkor.core.errors import InputError, Problem
from livsvillkor.framework.models import Indicator
from livsvillkor.observations.services import ImportResult, import_observations
from livsvillkor.sources.base import HttpSession, SourceError
from livsvillkor.sources.cache import ResponseCache
from livsvillkor.sources.kolada import ATTRIBUTION, KoladaClient

GENDER_TO_SEX = {"T": "", "K": "women", "M": "men"}


def parse_years(text: str | None) -> list[int]:
    """``2015-2025``, ``2019,2021,2023`` or a mix; empty means all years."""
    if not text:
        return []
    years: set[int] = set()
    for part in str(text).replace(" ", "").split(","):
        if not part:
            continue
        try:
            if "-" in part:
                first, last = (int(x) for x in part.split("-", 1))
                if last < first or last - first > 100:
                    raise ValueError
                years.update(range(first, last + 1))
            else:
                years.add(int(part))
        except ValueError as exc:
            raise InputError(
                "ogiltiga år", [Problem("--years", "ange år som 2015-2025 eller 2019,2021", value=part)]
            ) from exc
    return sorted(years)


def split_ids(values) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in str(v).split(",") if x.strip())
    return list(dict.fromkeys(out))


def to_tidy(frame: pd.DataFrame, kpi_to_indicator: dict[str, str]) -> pd.DataFrame:
    """Kolada rows (kpi, municipality_id, period, gender, value, status, preliminary) → tidy rows."""
    missing_value = frame["value"].isna()
    flags = pd.Series("", index=frame.index, dtype="string").where(~frame["preliminary"], "preliminary")
    return pd.DataFrame(
        {
            "indicator": frame["kpi"].map(kpi_to_indicator),
            "period": frame["period"].astype("string"),
            "area_code": frame["municipality_id"].astype("string"),
            "sex": frame["gender"].map(GENDER_TO_SEX).astype("string"),
            "value": frame["value"]
            .map(lambda v: "" if pd.isna(v) else repr(float(v)))
            .where(~missing_value, "-"),
            "flags": flags,
            "note": frame["status"].astype("string").fillna(""),
        }
    )


def fetch_and_import(
    kpis: list[str],
    municipalities: list[str],
    years: list[int],
    *,
    client: KoladaClient | None = None,
    cache_dir: str | None = None,
    progress=None,
    user=None,
) -> ImportResult:
    if not kpis:
        raise InputError("ange minst ett KPI-id", [Problem("--kpi", "saknas")])
    if not municipalities:
        raise InputError("ange minst en kommun", [Problem("--municipality", "saknas")])
    by_kpi = dict(Indicator.objects.exclude(kolada_id="").values_list("kolada_id", "code"))
    unknown = [k for k in kpis if k not in by_kpi]
    if unknown:
        raise InputError(
            "KPI utan indikator i katalogen; lägg till kolada_id i katalogen först",
            [Problem("--kpi", "ingen indikator har detta Kolada-id", value=k) for k in unknown],
        )
    if client is None:
        cache = ResponseCache(cache_dir) if cache_dir else None
        client = KoladaClient(HttpSession(cache=cache))
    try:
        result = client.data(kpis, municipalities, years)
    except (SourceError, ValueError) as exc:
        raise InputError(f"Kolada: {exc}") from exc
    tidy = to_tidy(result.data, by_kpi)
    prov = result.provenance
    return import_observations(
        tidy,
        source="kolada",
        parameters={
            **prov.parameters,
            "urls": list(prov.urls),
            "retrieved_at": prov.retrieved_at.isoformat(),
        },
        file_hash=prov.sha256,
        attribution=ATTRIBUTION,
        progress=progress,
        user=user,
    )


class KoladaImporter:
    name = "kolada"
    help = "Hämta värden från Kolada (API v3) för katalogens indikatorer och importera dem."

    def add_arguments(self, parser):
        parser.add_argument(
            "--kpi",
            action="append",
            required=True,
            help="KPI-id, t.ex. N02267 (kommaseparerade eller flera --kpi)",
        )
        parser.add_argument("--municipality", action="append", required=True, help="kommunkod, t.ex. 1490")
        parser.add_argument("--years", help="år, t.ex. 2015-2025 eller 2019,2021 (standard: alla)")
        parser.add_argument("--cache", metavar="DIR", help="spara råsvaren (URL, tid, kontrollsumma) i DIR")

    def run(self, options, progress):
        return fetch_and_import(
            split_ids(options["kpi"]),
            split_ids(options["municipality"]),
            parse_years(options.get("years")),
            cache_dir=options.get("cache"),
            progress=progress,
        ).message


IMPORTER = KoladaImporter()
