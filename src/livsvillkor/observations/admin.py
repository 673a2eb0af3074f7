from django.contrib import admin

from .models import Category, Dimension, ImportBatch, Observation, ObservationRevision


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "ordered", "order"]
    inlines = [CategoryInline]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "source",
        "file_name",
        "started_at",
        "rows",
        "created",
        "updated",
        "unchanged",
        "user",
    ]
    list_filter = ["source"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = [
        "indicator",
        "period",
        "area",
        "breakdown",
        "value",
        "numerator",
        "denominator",
        "suppressed",
    ]
    list_filter = ["indicator", "suppressed"]
    search_fields = ["area__code", "indicator__code"]
    raw_id_fields = ["area", "batch"]
    list_select_related = ["indicator", "area"]


@admin.register(ObservationRevision)
class ObservationRevisionAdmin(admin.ModelAdmin):
    list_display = ["observation", "batch", "old_value", "new_value"]
    raw_id_fields = ["observation", "batch", "previous_batch"]
