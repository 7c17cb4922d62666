"""Measure schedules and patient links in the admin, read-only for clinic admins.

Schedule versions are append-only (the database refuses changes); a new version is made by
``outcomes.services.measure_schedule_revise``, through ``POST /api/v1/measure-schedules/``.
Links are revoked or resent by the list's actions, through the services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from clinic.admin_roles import ReadOnlyAdmin, ReadOnlyInline, SiteScoped

from .models import CourseReview, LinkAnswer, MeasureSchedule, PatientLink, ScheduledMeasure
from .services import LINK_SENDERS, link_resend, link_revoke


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


class LinkAnswerInline(ReadOnlyInline):
    model = LinkAnswer
    fields = ["item", "measure"]
    readonly_fields = fields


@admin.register(PatientLink)
class PatientLinkAdmin(SiteScoped, ReadOnlyAdmin):
    """Patient links, read-only (the token is never shown here; staff copy it from the
    patient's page); the actions revoke or resend through the services."""

    list_display = ["pk", "patient", "course", "created_at", "expires_at", "revoked_at",
                    "submitted_at", "new_link_requested_at"]  # fmt: skip
    site_path = "course__location"
    list_select_related = ["patient", "course"]
    list_filter = ["language"]
    fields = [
        "patient", "course", "language", "items", "created_at", "created_by", "expires_at",
        "revoked_at", "revoked_by", "revoke_reason", "submitted_at", "failed_dob_attempts",
        "locked_until", "new_link_requested_at", "new_link_request_handled_at",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [LinkAnswerInline]
    actions = ["revoke", "resend"]

    def has_links_permission(self, request) -> bool:
        return request.user.is_active and request.user.may(*LINK_SENDERS)

    def _each(self, request, queryset, call, done_text):
        done = 0
        for link in queryset:
            try:
                call(link)
                done += 1
            except (ValidationError, PermissionDenied) as refused:
                message = "; ".join(getattr(refused, "messages", [str(refused)]))
                self.message_user(request, f"{link}: {message}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} link(s) {done_text}.", messages.SUCCESS)

    @admin.action(description="Revoke the link", permissions=["links"])
    def revoke(self, request, queryset) -> None:
        self._each(
            request, queryset,
            lambda link: link_revoke(link=link, by=request.user, reason="Revoked in the admin"),
            "revoked",
        )  # fmt: skip

    @admin.action(description="Resend: a new link for the course", permissions=["links"])
    def resend(self, request, queryset) -> None:
        self._each(request, queryset, lambda link: link_resend(link=link, by=request.user), "made")


@admin.register(CourseReview)
class CourseReviewAdmin(SiteScoped, ReadOnlyAdmin):
    """Physicians' course reviews: read-only (append-only; a new review, made on the review
    screen or through ``POST /api/v1/course-reviews/``, supersedes the standing one)."""

    list_display = ["course", "decision", "infusions_given", "reviewed_by", "reviewed_at"]
    list_filter = ["decision"]
    site_path = "course__location"
    list_select_related = ["course__patient", "reviewed_by"]
    ordering = ["-reviewed_at", "-pk"]
    fields = [
        "course", "decision", "reason", "new_protocol", "review_after", "schedule",
        "infusions_given", "outcome", "supersedes", "reviewed_by", "reviewed_at",
    ]  # fmt: skip
    readonly_fields = fields
