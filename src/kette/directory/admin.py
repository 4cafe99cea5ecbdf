from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kette.directory import models, services


class ServiceAtLocationInline(admin.TabularInline):
    model = models.ServiceAtLocation
    extra = 0
    raw_id_fields = ["location"]


class ServiceTermInline(admin.TabularInline):
    model = models.ServiceTerm
    extra = 0
    raw_id_fields = ["term"]


@admin.register(models.Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name"]


@admin.register(models.Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "municipality", "status", "last_verified_at"]
    list_filter = ["status", "municipality"]
    search_fields = ["name"]
    raw_id_fields = ["organization", "last_verified_by"]
    readonly_fields = ["id_hsds"]
    inlines = [ServiceAtLocationInline, ServiceTermInline]

    def save_related(self, request, form, formsets, change):
        # Keep the search document current after edits made here.
        super().save_related(request, form, formsets, change)
        services.service_reindex(service=form.instance)


@admin.register(models.Location)
class LocationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "address_1", "city", "district", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name", "address_1", "city"]
    raw_id_fields = ["organization", "district"]


@admin.register(models.Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]


@admin.register(models.TaxonomyTerm)
class TaxonomyTermAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "taxonomy", "municipality"]
    list_filter = ["taxonomy"]


@admin.register(models.LifePhase)
class LifePhaseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "municipality", "min_age_months", "max_age_months"]
    list_filter = ["municipality"]


@admin.register(models.Transition)
class TransitionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]


@admin.register(models.ProviderAccess)
class ProviderAccessAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organization", "municipality"]
    raw_id_fields = ["user", "organization"]
