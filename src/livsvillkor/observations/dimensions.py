"""The standard dimensions and categories: codes in English, labels in Swedish.

``is_reference`` marks the reference category of an unordered dimension, or the most-advantaged end of
an ordered one (the end inequality measures count from). Loaded by a data migration and by
:func:`livsvillkor.observations.services.ensure_dimensions`.
"""

# (code, label, ordered, [(category code, label, is_reference), …]) — categories in their order.
DIMENSIONS = [
    ("sex", "Kön", False, [("women", "Kvinnor", False), ("men", "Män", False)]),
    (
        "background",
        "Bakgrund",
        False,
        [("swedish", "Svensk bakgrund", True), ("foreign", "Utländsk bakgrund", False)],
    ),
    (
        "birth_region",
        "Födelseregion",
        False,
        [
            ("sweden", "Sverige", True),
            ("nordic", "Norden utom Sverige", False),
            ("europe", "Europa utom Sverige", False),
            ("europe_except_nordic", "Europa utom Norden", False),
            ("outside_europe", "Utanför Europa", False),
            ("rest_of_world", "Övriga världen inkl. uppgift saknas", False),
        ],
    ),
    (
        "age",
        "Ålder",
        True,
        [
            ("0-5", "0–5 år", False),
            ("0-17", "0–17 år", False),
            ("0-19", "0–19 år", False),
            ("6-15", "6–15 år", False),
            ("16-19", "16–19 år", False),
            ("16-64", "16–64 år", False),
            ("20-29", "20–29 år", False),
            ("20-64", "20–64 år", False),
            ("25-64", "25–64 år", False),
            ("30-49", "30–49 år", False),
            ("50-64", "50–64 år", False),
            ("65+", "65 år och äldre", False),
            ("80+", "80 år och äldre", False),
        ],
    ),
    (
        "education",
        "Utbildningsnivå",
        True,
        [
            ("compulsory", "Förgymnasial utbildning", False),
            ("upper_secondary", "Gymnasial utbildning", False),
            ("post_secondary_short", "Eftergymnasial utbildning, mindre än 3 år", False),
            ("post_secondary_long", "Eftergymnasial utbildning, 3 år eller mer", True),
            ("unknown", "Uppgift om utbildningsnivå saknas", False),
        ],
    ),
    (
        "income_quintile",
        "Inkomstkvintil",
        True,
        [(f"q{i}", f"Kvintil {i}", i == 5) for i in range(1, 6)],
    ),
    (
        "area_type",
        "Områdestyp",
        True,
        [
            ("1", "1 Stora socioekonomiska utmaningar", False),
            ("2", "2 Socioekonomiska utmaningar", False),
            ("3", "3 Blandade socioekonomiska förutsättningar", False),
            ("4", "4 Goda socioekonomiska förutsättningar", False),
            ("5", "5 Mycket goda socioekonomiska förutsättningar", True),
        ],
    ),
    (
        "tenure",
        "Upplåtelseform",
        False,
        [
            ("rental", "Hyresrätt", True),
            ("tenant_owned", "Bostadsrätt", False),
            ("owner_occupied", "Äganderätt", False),
            ("unknown", "Uppgift saknas", False),
        ],
    ),
]


def load_dimensions(Dimension, Category) -> None:
    """Create or update the standard dimensions (model classes passed in, so migrations can use it)."""
    for order, (code, label, ordered, categories) in enumerate(DIMENSIONS):
        dim, _ = Dimension.objects.update_or_create(
            code=code, defaults={"label": label, "ordered": ordered, "order": order}
        )
        for cat_order, (cat_code, cat_label, is_reference) in enumerate(categories):
            Category.objects.update_or_create(
                dimension=dim,
                code=cat_code,
                defaults={"label": cat_label, "order": cat_order, "is_reference": is_reference},
            )
