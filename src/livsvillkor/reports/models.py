"""The record of every generated report: what it was made from (snapshot) and when."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GeneratedReport(models.Model):
    """One run of ``livsvillkor report``: the snapshot printed in the report, kept for comparison."""

    class Kind(models.TextChoices):
        FOLLOWUP = "followup", _("Uppföljning")

    kind = models.CharField(_("rapporttyp"), max_length=20, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=20)
    title = models.CharField(_("titel"), max_length=300)
    data_hash = models.CharField(_("dataunderlagets kontrollsumma"), max_length=64)
    code_version = models.CharField(_("programversion"), max_length=40)
    git_commit = models.CharField(_("git-version"), max_length=40)
    formats = models.CharField(_("format"), max_length=40)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("skapad rapport")
        verbose_name_plural = _("skapade rapporter")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "period", "-created_at"], name="generatedreport_kind_period")]

    def __str__(self):
        return f"{self.title} ({self.created_at:%Y-%m-%d %H:%M}, sha256:{self.data_hash[:12]})"

    def previous(self):
        """The report of the same kind and period generated before this one, if any."""
        return (
            GeneratedReport.objects.filter(
                kind=self.kind, period=self.period, created_at__lte=self.created_at
            )
            .exclude(pk=self.pk)
            .order_by("-created_at", "-id")
            .first()
        )
