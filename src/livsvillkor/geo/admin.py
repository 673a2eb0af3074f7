from django.contrib import admin

from .models import Area, AreaClassification, AreaCrosswalk


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "vintage", "municipality_code", "population", "has_geometry"]
    list_filter = ["kind", "vintage"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    filter_horizontal = ["members"]

    @admin.display(boolean=True, description="Geometri")
    def has_geometry(self, obj):
        return bool(obj.geometry)


@admin.register(AreaClassification)
class AreaClassificationAdmin(admin.ModelAdmin):
    list_display = ["area", "scheme", "year", "category", "label"]
    list_filter = ["scheme", "year"]
    raw_id_fields = ["area"]


@admin.register(AreaCrosswalk)
class AreaCrosswalkAdmin(admin.ModelAdmin):
    list_display = ["source_area", "target_area", "weight", "basis"]
    raw_id_fields = ["source_area", "target_area"]
