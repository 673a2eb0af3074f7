"""The målbild (goal framework): versions, target areas, effect goals, levels and links.

A framework is identified by its ``slug`` (``boras-2021-2024``); every change to its content creates a
new ``version`` so that a follow-up keeps pointing at exactly the version it followed.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FrameworkQuerySet(models.QuerySet):
    def published(self):
        return self.exclude(status=Framework.Status.DRAFT)

    def current(self):
        """The framework shown to the public: the newest adopted version of the newest målbild."""
        return self.published().order_by("-valid_from", "-version").first()


class Framework(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        ADOPTED = "adopted", _("Antagen")
        REPLACED = "replaced", _("Ersatt")
        ARCHIVED = "archived", _("Arkiverad")

    slug = models.SlugField(_("kortnamn"), max_length=80)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("namn"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200)
    municipality_code = models.CharField(_("kommunkod"), max_length=4, blank=True)
    valid_from = models.DateField(_("gäller från"))
    valid_to = models.DateField(_("gäller till"), null=True, blank=True)
    adopted_by = models.CharField(_("antagen av"), max_length=200, blank=True)
    adopted_on = models.DateField(_("antagen den"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ADOPTED)
    overall_goal = models.CharField(_("övergripande mål"), max_length=300)
    overall_goal_description = models.TextField(_("beskrivning av det övergripande målet"), blank=True)
    introduction = models.TextField(_("inledning"), blank=True)
    purpose = models.TextField(_("syfte"), blank=True)
    validity_text = models.TextField(_("giltighetstid (text)"), blank=True)
    follow_up_interval_years = models.PositiveSmallIntegerField(_("uppföljning vart n:e år"), default=2)
    follow_up_basis = models.TextField(_("uppföljningens underlag"), blank=True)
    follow_up_main_source = models.CharField(
        _("huvudsaklig källa för uppföljningen"), max_length=200, blank=True
    )
    follow_up_text = models.TextField(_("uppföljning (text)"), blank=True)
    steering_documents_intro = models.TextField(_("koppling till andra styrande dokument (text)"), blank=True)
    processes_intro = models.TextField(_("koppling till stadenövergripande processer (text)"), blank=True)
    area_development_text = models.TextField(_("områdesutveckling (text)"), blank=True)
    content_hash = models.CharField(_("innehållets kontrollsumma"), max_length=64, editable=False)
    source_file = models.CharField(_("källfil"), max_length=300, blank=True, editable=False)
    loaded_at = models.DateTimeField(_("inläst"), auto_now_add=True)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        verbose_name = _("målbild")
        verbose_name_plural = _("målbilder")
        ordering = ["-valid_from", "-version"]
        constraints = [models.UniqueConstraint(fields=["slug", "version"], name="framework_unique_version")]

    def __str__(self):
        return f"{self.name} (v{self.version})"

    @property
    def period_label(self) -> str:
        if self.valid_to:
            return f"{self.valid_from.year}–{self.valid_to.year}"
        return f"{self.valid_from.year}–"


class Level(models.Model):
    """The levels the work is done at: city-wide, and områdesutveckling."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    code = models.SlugField(_("kod"), max_length=40)
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("nivå")
        verbose_name_plural = _("nivåer")
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="level_unique_code")]

    def __str__(self):
        return self.name


class TargetArea(models.Model):
    """A målområde."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="target_areas")
    code = models.CharField(_("kod"), max_length=10)
    slug = models.SlugField(_("kortnamn"), max_length=80)
    name = models.CharField(_("namn"), max_length=200)
    summary = models.TextField(_("sammanfattning"), blank=True)
    description = models.TextField(_("beskrivning"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("målområde")
        verbose_name_plural = _("målområden")
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="targetarea_unique_code"),
            models.UniqueConstraint(fields=["framework", "slug"], name="targetarea_unique_slug"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("portal:target-area", args=[self.slug])


class EffectGoal(models.Model):
    """An effektmål, coded like ``1.2`` (target area code, dot, running number)."""

    target_area = models.ForeignKey(TargetArea, on_delete=models.CASCADE, related_name="effect_goals")
    code = models.CharField(_("kod"), max_length=10)
    text = models.TextField(_("formulering"))
    short_name = models.CharField(_("kort namn"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("effektmål")
        verbose_name_plural = pgettext_lazy("plural", "effektmål")
        ordering = ["target_area__order", "order"]
        constraints = [models.UniqueConstraint(fields=["target_area", "code"], name="effectgoal_unique_code")]

    def __str__(self):
        return f"{self.code} {self.short_name or self.text}"

    def get_absolute_url(self):
        return reverse("portal:effect-goal", args=[self.code])

    @property
    def framework(self):
        return self.target_area.framework


class FocusArea(models.Model):
    """A neighbourhood where områdesutveckling works on all three target areas at once."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="focus_areas")
    slug = models.SlugField(_("kortnamn"), max_length=80)
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    lead = models.CharField(_("leds av"), max_length=200, blank=True)
    started = models.CharField(_("startade"), max_length=100, blank=True)
    area_code = models.CharField(_("områdeskod"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("områdesutvecklingsområde")
        verbose_name_plural = _("områdesutvecklingsområden")
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "slug"], name="focusarea_unique_slug")]

    def __str__(self):
        return self.name


class SteeringDocument(models.Model):
    """A related steering document (section 2.4 of the Borås målbild)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="steering_documents")
    name = models.CharField(_("namn"), max_length=200)
    url = models.URLField(_("länk"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("styrande dokument")
        verbose_name_plural = pgettext_lazy("plural", "styrande dokument")
        ordering = ["framework", "order"]

    def __str__(self):
        return self.name


class CityProcess(models.Model):
    """A city-wide process closely linked to the framework (section 2.5 of the Borås målbild)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="processes")
    name = models.CharField(_("namn"), max_length=300)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("stadenövergripande process")
        verbose_name_plural = _("stadenövergripande processer")
        ordering = ["framework", "order"]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    """A measured quantity followed up against effect goals. Indicators outlive a målbild version."""

    class ValueType(models.TextChoices):
        PROPORTION = "proportion", _("andel")
        RATE = "rate", _("kvot per invånare")
        MEAN = "mean", _("medelvärde")
        COUNT = "count", _("antal")
        INDEX = "index", _("index")
        RATIO = "ratio", _("kvot")

    class Polarity(models.TextChoices):
        HIGHER_IS_BETTER = "higher", _("högre är bättre")
        LOWER_IS_BETTER = "lower", _("lägre är bättre")
        NONE = "none", _("ingen bedömning")

    class SourceType(models.TextChoices):
        KOLADA = "kolada", "Kolada"
        SCB = "scb", "SCB"
        SURVEY = "survey", _("lokal enkät")
        REGISTER = "register", _("lokalt register")
        MANUAL = "manual", _("manuell inmatning")
        DERIVED = "derived", _("beräknad")

    class CIMethod(models.TextChoices):
        WILSON = "wilson", "Wilson"
        BYAR = "byar", _("Byar / exakt Poisson")
        DOBSON = "dobson", "Dobson"
        T = "t", _("Students t")
        GIVEN = "given", _("från källan")
        NONE = "none", _("inget")

    code = models.SlugField(_("kod"), max_length=80, unique=True)
    name = models.CharField(_("namn"), max_length=300)
    short_name = models.CharField(_("kort namn"), max_length=120, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    unit = models.CharField(
        _("enhet"), max_length=40, blank=True, help_text=_("t.ex. %, per 1 000 inv, antal")
    )
    value_type = models.CharField(_("värdetyp"), max_length=20, choices=ValueType.choices)
    scale = models.PositiveIntegerField(
        _("skala"), default=1, help_text=_("100 för procent, 1000 för promille")
    )
    decimals = models.PositiveSmallIntegerField(_("decimaler"), default=1)
    polarity = models.CharField(
        _("polaritet"), max_length=10, choices=Polarity.choices, default=Polarity.NONE
    )
    life_stages = models.JSONField(_("livsskeden"), default=list, blank=True)
    source_type = models.CharField(_("källtyp"), max_length=20, choices=SourceType.choices)
    source_name = models.CharField(_("källa"), max_length=200, blank=True)
    kolada_id = models.CharField(_("Kolada-id"), max_length=20, blank=True)
    scb_table = models.CharField(_("SCB-tabell"), max_length=100, blank=True)
    source_url = models.URLField(_("källänk"), blank=True)
    breakdowns = models.JSONField(_("redovisningsgrupper"), default=list, blank=True)
    geographic_levels = models.JSONField(_("geografiska nivåer"), default=list, blank=True)
    frequency = models.CharField(_("frekvens"), max_length=40, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("basår"), null=True, blank=True)
    baseline_value = models.FloatField(_("basvärde"), null=True, blank=True)
    target_value = models.FloatField(_("målvärde"), null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("målår"), null=True, blank=True)
    ci_method = models.CharField(
        _("konfidensintervall"), max_length=20, choices=CIMethod.choices, default=CIMethod.NONE
    )
    suppression_min_numerator = models.PositiveIntegerField(_("minsta täljare"), default=5)
    suppression_min_denominator = models.PositiveIntegerField(_("minsta nämnare"), default=10)
    caveats = models.TextField(_("förbehåll"), blank=True)
    covers_overall_goal = models.BooleanField(_("följer det övergripande målet"), default=False)
    area_development = models.BooleanField(_("följer områdesutvecklingen"), default=False)
    is_active = models.BooleanField(_("aktiv"), default=True)
    effect_goals = models.ManyToManyField(
        EffectGoal, through="IndicatorGoalLink", related_name="indicators", verbose_name=_("effektmål")
    )

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("indikatorer")
        ordering = ["code"]

    def __str__(self):
        return self.name


class IndicatorGoalLink(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="goal_links")
    effect_goal = models.ForeignKey(EffectGoal, on_delete=models.CASCADE, related_name="indicator_links")
    primary = models.BooleanField(_("huvudsakligt effektmål"), default=False)

    class Meta:
        verbose_name = _("koppling till effektmål")
        verbose_name_plural = _("kopplingar till effektmål")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "effect_goal"], name="indicatorgoallink_unique"),
        ]

    def __str__(self):
        return f"{self.indicator} → {self.effect_goal.code}"
