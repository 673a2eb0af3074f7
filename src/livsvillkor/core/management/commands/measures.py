"""``livsvillkor measures INPUT.csv``: summary measures of inequality for a HEAT Plus file.

Works without a database: it reads the file, computes with :mod:`livsvillkor.stats`, and writes one
record per setting × date × indicator × dimension × measure (CSV or JSON) to stdout or ``--output``.
Bad input is reported with the line and column and nothing is written.
"""

from __future__ import annotations

import json
import math
import sys

from django.core.management.base import BaseCommand, CommandError

from livsvillkor.core.errors import InputError
from livsvillkor.stats import heat


def _csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class Command(BaseCommand):
    help = (
        "Beräkna ojämlikhetsmått (WHO HEAT/healthequal) för en fil i HEAT Plus-format. Kräver ingen databas."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("input", help="CSV i HEAT Plus-format ('-' läser från stdin)")
        parser.add_argument(
            "--format", choices=["csv", "json"], default="csv", help="utformat (csv eller json)"
        )
        parser.add_argument("--output", "-o", help="skriv till fil i stället för stdout")
        parser.add_argument("--draws", type=int, default=100, help="antal dragningar för simulerade KI (100)")
        parser.add_argument("--seed", type=int, default=123456, help="slumpfrö för simulerade KI")
        parser.add_argument("--level", type=float, default=0.95, help="konfidensnivå (0.95 eller 0.998)")
        parser.add_argument(
            "--measures",
            type=_csv_list,
            default=None,
            help="kommaseparerade mått, t.ex. D,R,BGV (standard: alla 21)",
        )
        parser.add_argument(
            "--adverse",
            action="append",
            default=[],
            metavar="INDICATOR_ABBR",
            help="indikator där lägre är bättre (kan upprepas; kommaseparerat går också)",
        )
        parser.add_argument(
            "--ordered",
            action="append",
            default=[],
            metavar="DIMENSION",
            help="ordnad dimension (kan upprepas); ordning från subgroup_order eller filens ordning",
        )
        parser.add_argument(
            "--scale", type=float, default=None, help="indikatorskala där filen saknar den (100)"
        )
        parser.add_argument(
            "--sii-model", choices=["logit", "linear"], default="logit", help="modell för SII/RII"
        )
        parser.add_argument(
            "--applicable-only",
            action="store_true",
            help="utelämna mått som inte gäller dimensionen i stället för att ange skälet",
        )

    def handle(self, *args, **opts):
        adverse = [a for item in opts["adverse"] for a in _csv_list(item)]
        ordered = [o for item in opts["ordered"] for o in _csv_list(item)]
        source = sys.stdin if opts["input"] == "-" else opts["input"]
        try:
            data = heat.read_heat(source, adverse=adverse, ordered=ordered, scale=opts["scale"])
            result = heat.heat_measures(
                data,
                opts["measures"],
                draws=opts["draws"],
                seed=opts["seed"],
                sii_model=opts["sii_model"],
                level=opts["level"],
                applicable_only=opts["applicable_only"],
            )
        except InputError as exc:
            raise CommandError(str(exc)) from exc
        text = self.render(result, opts["format"])
        if opts["output"]:
            with open(opts["output"], "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        else:
            self.stdout.write(text, ending="")

    @staticmethod
    def render(result, fmt: str) -> str:
        """The result as CSV or as a JSON array of records (NaN as null)."""
        if fmt == "csv":
            return result.to_csv(index=False, lineterminator="\n")
        records = []
        for rec in result.to_dict("records"):
            clean = {}
            for key, value in rec.items():
                if isinstance(value, float) and math.isnan(value):
                    value = None
                elif value is not None and not isinstance(value, (str, int, float, bool)):
                    value = None if value != value else str(value)  # pandas NA/NaT → null
                clean[key] = value
            records.append(clean)
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
