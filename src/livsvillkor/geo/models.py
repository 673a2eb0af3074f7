"""Areas (statistical, administrative and our own), their classifications and vintage crosswalks.

An area is identified by its ``code`` within a ``vintage`` (SCB revised DeSO/RegSO in 2025, so the same
code can mean two different polygons). Geometry is GeoJSON in WGS84 kept in a JSON field: no GeoDjango.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    class Kind(models.TextChoices):
        COUNTRY = "country", _("land")
        COUNTY = "county", _("län")
        MUNICIPALITY = "municipality", _("kommun")
        DISTRICT = "district", _("kommundel")
        REGSO = "regso", _("RegSO")
        DESO = "deso", _("DeSO")
        CUSTOM = "custom", _("eget område")

    code = models.CharField(_("kod"), max_length=80)
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    vintage = models.CharField(
        _("version"), max_length=20, blank=True, help_text=_("t.ex. DeSO2018 eller DeSO2025")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        verbose_name=_("överordnat område"),
    )
    municipality_code = models.CharField(_("kommunkod"), max_length=4, blank=True, db_index=True)
    valid_from = models.PositiveSmallIntegerField(_("gäller från år"), null=True, blank=True)
    valid_to = models.PositiveSmallIntegerField(_("gäller till år"), null=True, blank=True)
    population = models.PositiveIntegerField(_("folkmängd"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("folkmängd år"), null=True, blank=True)
    geometry = models.JSONField(_("geometri (GeoJSON, WGS84)"), null=True, blank=True)
    members = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="member_of", verbose_name=_("består av")
    )
    attributes = models.JSONField(_("egenskaper"), default=dict, blank=True)
    source = models.CharField(_("källa"), max_length=200, blank=True)
    notes = models.TextField(_("anmärkningar"), blank=True)

    class Meta:
        verbose_name = _("område")
        verbose_name_plural = _("områden")
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["code", "vintage"], name="area_unique_code_vintage")]
        indexes = [models.Index(fields=["kind", "municipality_code"], name="area_kind_muni")]

    def __str__(self):
        return f"{self.code} {self.name}"


class AreaClassification(models.Model):
    """A classification of an area in one year, e.g. socio-economic area type 1–5."""

    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="classifications", verbose_name=_("område")
    )
    scheme = models.CharField(_("indelning"), max_length=40, help_text=_("t.ex. area_type"))
    year = models.PositiveSmallIntegerField(_("år"))
    category = models.CharField(_("kategori"), max_length=40)
    label = models.CharField(_("benämning"), max_length=200, blank=True)
    source = models.CharField(_("källa"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("områdesklassificering")
        verbose_name_plural = _("områdesklassificeringar")
        ordering = ["scheme", "year", "area"]
        constraints = [
            models.UniqueConstraint(fields=["area", "scheme", "year"], name="areaclassification_unique")
        ]

    def __str__(self):
        return f"{self.area.code} {self.scheme} {self.year}: {self.category}"


class AreaCrosswalk(models.Model):
    """Share ``weight`` of ``source_area`` (old vintage) that falls in ``target_area`` (new vintage)."""

    source_area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="crosswalk_out", verbose_name=_("från område")
    )
    target_area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="crosswalk_in", verbose_name=_("till område")
    )
    weight = models.FloatField(_("vikt"))
    basis = models.CharField(
        _("viktgrund"), max_length=40, default="population", help_text=_("t.ex. population")
    )

    class Meta:
        verbose_name = _("områdesnyckel mellan versioner")
        verbose_name_plural = _("områdesnycklar mellan versioner")
        constraints = [
            models.UniqueConstraint(fields=["source_area", "target_area"], name="areacrosswalk_unique"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0) & models.Q(weight__lte=1), name="areacrosswalk_weight_range"
            ),
        ]

    def __str__(self):
        return f"{self.source_area.code} → {self.target_area.code} ({self.weight:.3f})"
