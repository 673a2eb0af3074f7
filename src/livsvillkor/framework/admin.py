from django.contrib import admin

from .models import (
    CityProcess,
    EffectGoal,
    FocusArea,
    Framework,
    Indicator,
    IndicatorGoalLink,
    Level,
    SteeringDocument,
    TargetArea,
)


class LevelInline(admin.StackedInline):
    model = Level
    extra = 0


class TargetAreaInline(admin.TabularInline):
    model = TargetArea
    fields = ["code", "slug", "name", "order"]
    extra = 0
    show_change_link = True


class FocusAreaInline(admin.TabularInline):
    model = FocusArea
    fields = ["slug", "name", "lead", "started", "area_code", "order"]
    extra = 0


class SteeringDocumentInline(admin.TabularInline):
    model = SteeringDocument
    fields = ["order", "name", "url"]
    extra = 0


class CityProcessInline(admin.TabularInline):
    model = CityProcess
    fields = ["order", "name"]
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "version",
        "status",
        "valid_from",
        "valid_to",
        "adopted_by",
        "adopted_on",
        "loaded_at",
    ]
    list_filter = ["status", "slug"]
    search_fields = ["name", "slug", "organisation"]
    readonly_fields = ["content_hash", "source_file", "loaded_at"]
    inlines = [LevelInline, TargetAreaInline, FocusAreaInline, SteeringDocumentInline, CityProcessInline]
    fieldsets = [
        (None, {"fields": ["slug", "version", "name", "organisation", "municipality_code", "status"]}),
        (
            "Giltighet och beslut",
            {"fields": ["valid_from", "valid_to", "validity_text", "adopted_by", "adopted_on"]},
        ),
        (
            "Innehåll",
            {
                "fields": [
                    "introduction",
                    "purpose",
                    "overall_goal",
                    "overall_goal_description",
                    "area_development_text",
                    "steering_documents_intro",
                    "processes_intro",
                ]
            },
        ),
        (
            "Uppföljning",
            {
                "fields": [
                    "follow_up_interval_years",
                    "follow_up_basis",
                    "follow_up_main_source",
                    "follow_up_text",
                ]
            },
        ),
        ("Inläsning", {"fields": ["content_hash", "source_file", "loaded_at"]}),
    ]


class EffectGoalInline(admin.TabularInline):
    model = EffectGoal
    fields = ["code", "short_name", "text", "order"]
    extra = 0


@admin.register(TargetArea)
class TargetAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "framework"]
    list_filter = ["framework"]
    inlines = [EffectGoalInline]


@admin.register(EffectGoal)
class EffectGoalAdmin(admin.ModelAdmin):
    list_display = ["code", "short_name", "text", "target_area"]
    list_filter = ["target_area__framework", "target_area"]
    search_fields = ["code", "text", "short_name"]


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "framework", "lead", "started", "area_code"]
    list_filter = ["framework"]


class IndicatorGoalLinkInline(admin.TabularInline):
    model = IndicatorGoalLink
    extra = 0
    autocomplete_fields = ["effect_goal"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "value_type", "polarity", "source_type", "kolada_id", "is_active"]
    list_filter = ["source_type", "value_type", "polarity", "is_active"]
    search_fields = ["code", "name", "kolada_id", "scb_table"]
    inlines = [IndicatorGoalLinkInline]
