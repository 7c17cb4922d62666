"""Measure schedules in the admin: read-only for clinic admins (versions are append-only,
the database refuses changes). A new version is made by
``outcomes.services.measure_schedule_revise``, through ``POST /api/v1/measure-schedules/``."""

from django.contrib import admin

from clinic.admin_roles import ReadOnlyAdmin, ReadOnlyInline

from .models import CourseReview, MeasureSchedule, ScheduledMeasure


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


@admin.register(CourseReview)
class CourseReviewAdmin(ReadOnlyAdmin):
    """Physicians' course reviews: read-only (append-only; a new review, made on the review
    screen or through ``POST /api/v1/course-reviews/``, supersedes the standing one)."""

    list_display = ["course", "decision", "infusions_given", "reviewed_by", "reviewed_at"]
    list_filter = ["decision"]
    list_select_related = ["course__patient", "reviewed_by"]
    ordering = ["-reviewed_at", "-pk"]
    fields = [
        "course", "decision", "reason", "new_protocol", "review_after", "schedule",
        "infusions_given", "outcome", "supersedes", "reviewed_by", "reviewed_at",
    ]  # fmt: skip
    readonly_fields = fields
