from django.db import models

from clinic.models import Location


class ChairQuerySet(models.QuerySet):
    def in_service(self) -> "ChairQuerySet":
        return self.filter(is_active=True)

    def at_locations(self, locations) -> "ChairQuerySet":
        return self.filter(location__in=locations)


class Chair(models.Model):
    """An infusion chair at a site."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="chairs")
    name = models.CharField(max_length=40)
    is_active = models.BooleanField(default=True)

    objects = ChairQuerySet.as_manager()

    class Meta:
        ordering = ["location__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "name"], name="chair_name_unique_per_location"
            )
        ]

    def __str__(self) -> str:
        return f"{self.location.name} · {self.name}"
