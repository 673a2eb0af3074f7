"""Observations: one value per indicator × period × area × breakdown, with provenance and revisions.

The breakdown is stored as a canonical key, ``dimension=category`` pairs sorted by dimension code and
joined with ``;`` (``""`` is the total). Keeping it a single column makes the natural key one unique
index, which is what makes bulk upserts (COPY + set-based SQL) possible at tens of millions of rows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from livsvillkor.framework.models import Indicator
from livsvillkor.geo.models import Area


class Dimension(models.Model):
    code = models.SlugField(_("kod"), max_length=40, unique=True)
    label = models.CharField(_("benämning"), max_length=200)
    ordered = models.BooleanField(_("ordnad"), default=False)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)
    description = models.TextField(_("beskrivning"), blank=True)

    class Meta:
        verbose_name = _("redovisningsgrupp")
        verbose_name_plural = _("redovisningsgrupper")
        ordering = ["order", "code"]

    def __str__(self):
        return self.label


class Category(models.Model):
    dimension = models.ForeignKey(
        Dimension, on_delete=models.CASCADE, related_name="categories", verbose_name=_("redovisningsgrupp")
    )
    code = models.CharField(_("kod"), max_length=40)
    label = models.CharField(_("benämning"), max_length=200)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)
    is_reference = models.BooleanField(
        _("referens / mest gynnad"),
        default=False,
        help_text=_("Referenskategorin, eller i en ordnad grupp den mest gynnade änden"),
    )

    class Meta:
        verbose_name = _("kategori")
        verbose_name_plural = _("kategorier")
        ordering = ["dimension", "order"]
        constraints = [models.UniqueConstraint(fields=["dimension", "code"], name="category_unique_code")]

    def __str__(self):
        return f"{self.dimension.code}={self.code}"


class ImportBatch(models.Model):
    source = models.CharField(_("källa"), max_length=100)
    parameters = models.JSONField(_("parametrar"), default=dict, blank=True)
    file_name = models.CharField(_("filnamn"), max_length=300, blank=True)
    file_hash = models.CharField(_("filens kontrollsumma (SHA-256)"), max_length=64, blank=True)
    attribution = models.CharField(_("källhänvisning"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("användare"),
    )
    started_at = models.DateTimeField(_("startad"), auto_now_add=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rader"), default=0)
    created = models.PositiveIntegerField(_("nya"), default=0)
    updated = models.PositiveIntegerField(_("ändrade"), default=0)
    unchanged = models.PositiveIntegerField(_("oförändrade"), default=0)

    class Meta:
        verbose_name = _("importomgång")
        verbose_name_plural = _("importomgångar")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M} ({self.file_name or '-'})"


class RowIdField(models.BigAutoField):
    """A 64-bit auto-incrementing primary key that on SQLite is the plain rowid, without AUTOINCREMENT.

    AUTOINCREMENT makes SQLite update its sequence table for every inserted row, which more than
    doubles the cost of a bulk insert. Without it SQLite may hand out the id of a deleted last row
    again; nothing keeps observation ids after the row is gone (revisions are deleted with it).
    """

    def db_type_suffix(self, connection):
        if connection.vendor == "sqlite":
            return None
        return super().db_type_suffix(connection)


class Observation(models.Model):
    id = RowIdField(primary_key=True, serialize=False, verbose_name="ID")
    # No separate FK indexes: the natural key and observation_area_latest start with these columns.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, db_index=False, verbose_name=_("indikator")
    )
    period = models.CharField(
        _("period"), max_length=9, help_text=_("År (2022) eller årsintervall (2019-2022)")
    )
    period_start = models.PositiveSmallIntegerField(_("första år"))
    period_end = models.PositiveSmallIntegerField(_("sista år"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, db_index=False, verbose_name=_("område"))
    breakdown = models.CharField(_("redovisningsgrupp"), max_length=200, blank=True, default="")
    value = models.FloatField(_("värde"), null=True, blank=True)
    numerator = models.FloatField(_("täljare"), null=True, blank=True)
    denominator = models.FloatField(_("nämnare"), null=True, blank=True)
    ci_low = models.FloatField(_("konfidensintervall, nedre"), null=True, blank=True)
    ci_high = models.FloatField(_("konfidensintervall, övre"), null=True, blank=True)
    preliminary = models.BooleanField(_("preliminär"), default=False)
    break_in_series = models.BooleanField(_("tidsseriebrott"), default=False)
    estimated = models.BooleanField(_("skattad"), default=False)
    suppressed = models.BooleanField(_("sekretessmarkerad"), default=False)
    suppression_reason = models.CharField(_("skäl till sekretess"), max_length=100, blank=True, default="")
    missing = models.CharField(
        _("saknat värde"), max_length=1, blank=True, default="", help_text=_("'-' saknas, '.' ej tillämpligt")
    )
    note = models.TextField(_("anmärkning"), blank=True, default="")
    # No index on the batch: nothing reads observations by batch except the rare deletion of a batch,
    # and every import would pay for keeping it up to date.
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="observations",
        verbose_name=_("importomgång"),
    )

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observationer")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period", "breakdown"], name="observation_natural_key"
            )
        ]
        indexes = [
            # "one area, all indicators, latest year"; the natural key serves "one indicator, all areas".
            models.Index(fields=["area", "indicator", "period_end"], name="observation_area_latest"),
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.period} {self.area_id} {self.breakdown or 'total'}: {self.value}"


class ObservationRevision(models.Model):
    """A changed value: what it was before a re-import and what it became."""

    observation = models.ForeignKey(
        Observation, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("observation")
    )
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("importomgång")
    )
    previous_batch = models.ForeignKey(
        ImportBatch,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("föregående importomgång"),
    )
    old_value = models.FloatField(_("gammalt värde"), null=True, blank=True)
    new_value = models.FloatField(_("nytt värde"), null=True, blank=True)
    old_numerator = models.FloatField(_("gammal täljare"), null=True, blank=True)
    new_numerator = models.FloatField(_("ny täljare"), null=True, blank=True)
    old_denominator = models.FloatField(_("gammal nämnare"), null=True, blank=True)
    new_denominator = models.FloatField(_("ny nämnare"), null=True, blank=True)
    old_suppressed = models.BooleanField(_("tidigare sekretess"), default=False)
    new_suppressed = models.BooleanField(_("ny sekretess"), default=False)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisioner")
        ordering = ["-batch_id"]

    def __str__(self):
        return f"{self.observation_id}: {self.old_value} → {self.new_value}"
