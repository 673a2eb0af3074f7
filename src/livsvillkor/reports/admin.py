from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import GeneratedReport


@admin.register(GeneratedReport)
class GeneratedReportAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "period", "created_at", "short_hash", "code_version", "formats"]
    list_filter = ["kind", "period"]
    readonly_fields = [f.name for f in GeneratedReport._meta.fields]

    @admin.display(description=_("Kontrollsumma"))
    def short_hash(self, obj):
        return obj.data_hash[:16]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
