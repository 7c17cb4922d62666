"""Measure schedules in the admin: read-only for clinic admins (versions are append-only,
the database refuses changes). A new version is made by
``outcomes.services.measure_schedule_revise``, through ``POST /api/v1/measure-schedules/``."""

from django.contrib import admin

from clinic.admin_roles import ReadOnlyAdmin, ReadOnlyInline

from .models import MeasureSchedule, ScheduledMeasure


class ScheduledMeasureInline(ReadOnlyInline):
    model = ScheduledMeasure
    fields = ["measure", "timing", "param"]
    readonly_fields = fields


@admin.register(MeasureSchedule)
class MeasureScheduleAdmin(ReadOnlyAdmin):
    list_display = ["protocol", "number", "created_at", "created_by", "note"]
    list_filter = ["protocol"]
    list_select_related = ["protocol", "created_by"]
    ordering = ["protocol__name", "-number"]
    fields = ["protocol", "number", "note", "created_at", "created_by"]
    readonly_fields = fields
    inlines = [ScheduledMeasureInline]
