"""Reads: a patient's packages with the infusions used, given back and left (counted in
the database), and the visits waiting for the desk to charge by hand."""

from django.db.models import Count, Exists, F, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from clinic.models import User
from scheduling.selectors.scope import appointments_for

from ..models import (
    ChargeReview,
    EntryKind,
    LedgerEntry,
    PackagePurchase,
    PackageRelease,
    PackageUse,
)


def infusions_left(purchases: QuerySet[PackagePurchase]) -> QuerySet[PackagePurchase]:
    """Each purchase with ``used``, ``released`` and ``left`` (infusions); one query."""
    used = (
        PackageUse.objects.filter(purchase=OuterRef("pk")).values("purchase")
        .annotate(n=Count("pk")).values("n")
    )  # fmt: skip
    released = (
        PackageRelease.objects.filter(purchase=OuterRef("pk")).values("purchase")
        .annotate(n=Sum("infusions")).values("n")
    )  # fmt: skip
    return purchases.annotate(
        used=Coalesce(Subquery(used, output_field=IntegerField()), 0),
        released=Coalesce(Subquery(released, output_field=IntegerField()), 0),
    ).annotate(left=F("infusions") - F("used") - F("released"))


def packages_of(patient) -> QuerySet[PackagePurchase]:
    return infusions_left(
        PackagePurchase.objects.filter(patient=patient).select_related("location", "sold_by")
    ).order_by("sold_at", "pk")


def charges_to_review_for(user: User) -> QuerySet[ChargeReview]:
    """Completed visits at the user's sites that were not charged by themselves (no prices
    that day) and are still neither charged, covered by a package, nor waived."""
    charged = LedgerEntry.objects.filter(kind=EntryKind.CHARGE, appointment=OuterRef("appointment"))
    covered = PackageUse.objects.filter(appointment=OuterRef("appointment"))
    return (
        ChargeReview.objects.filter(appointment__in=appointments_for(user), waiver__isnull=True)
        .exclude(Exists(charged))
        .exclude(Exists(covered))
        .select_related("appointment__patient", "appointment__location")
        .order_by("appointment__starts_at", "pk")
    )


def charges_to_review_work(user: User) -> list:
    """The desk home's "Charges to review" count (scheduling.hooks.desk_work)."""
    from django.urls import reverse

    from clinic.worklist import WorkItem

    return [WorkItem("charges_to_review", "Charges to review", charges_to_review_for(user).count(),
                     reverse("billing:charges_to_review"))]  # fmt: skip
