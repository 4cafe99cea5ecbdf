from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kette.monitoring.models import Indicator, NeedIndexWeight, Observation


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "municipality", "unit", "direction", "disclosure_threshold"]
    list_filter = ["unit", "direction"]
    search_fields = ["name", "key"]
    autocomplete_fields = ["municipality"]


@admin.register(Observation)
class ObservationAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "municipality", "district", "year", "value"]
    list_filter = ["year"]
    list_select_related = ["indicator", "municipality", "district"]
    raw_id_fields = ["municipality", "district", "indicator"]


@admin.register(NeedIndexWeight)
class NeedIndexWeightAdmin(SimpleHistoryAdmin):
    list_display = ["municipality", "indicator", "weight"]
    raw_id_fields = ["municipality", "indicator"]
