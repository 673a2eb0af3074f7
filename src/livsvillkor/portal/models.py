"""Editorial content of the public portal: news and contact details."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NewsItemQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True, published_at__lte=timezone.now())


class NewsItem(models.Model):
    title = models.CharField(_("rubrik"), max_length=200)
    slug = models.SlugField(_("kortnamn"), max_length=120, unique=True)
    summary = models.TextField(_("ingress"), max_length=600)
    body = models.TextField(_("brödtext"), help_text=_("Stycken skiljs åt med en tom rad."))
    published_at = models.DateTimeField(_("publicerad"), default=timezone.now)
    is_published = models.BooleanField(_("publicerad på webben"), default=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    objects = NewsItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("nyhet")
        verbose_name_plural = _("nyheter")
        ordering = ["-published_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("portal:news-detail", args=[self.slug])

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]


class ContactDetails(models.Model):
    """Who to contact about the programme. One row; edited in the admin."""

    heading = models.CharField(_("rubrik"), max_length=200, default="Om du har frågor kontakta")
    name = models.CharField(_("namn eller funktion"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    address = models.TextField(_("adress"), blank=True)
    url = models.URLField(_("webbplats"), blank=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("kontaktuppgifter")
        verbose_name_plural = _("kontaktuppgifter")

    def __str__(self):
        return self.name

    @classmethod
    def current(cls):
        return cls.objects.order_by("-updated_at").first()
