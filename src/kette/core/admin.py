from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from kette.core.models import (
    AccessibilityFeedback,
    FundingPeriod,
    Membership,
    Municipality,
    Programme,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["municipality"]


@admin.register(User)
class KetteUserAdmin(UserAdmin):
    inlines = [MembershipInline]


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "state", "coordination_office"]
    prepopulated_fields = {"slug": ["name"]}


class FundingPeriodInline(admin.TabularInline):
    model = FundingPeriod
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "official_key", "cohort", "population"]
    list_filter = ["programme", "kind", "cohort"]
    search_fields = ["name", "official_key"]
    inlines = [FundingPeriodInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "municipality", "programme"]
    list_filter = ["role", "programme"]
    search_fields = ["user__username", "user__email", "municipality__name"]
    autocomplete_fields = ["user", "municipality"]


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "page_url", "handled"]
    list_filter = ["handled"]
