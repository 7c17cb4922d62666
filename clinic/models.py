import datetime
from importlib import import_module
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models, transaction
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from .roles import Role


class Location(models.Model):
    """One of the clinic's sites."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=20, unique=True, help_text="Short code, e.g. 'irvine'.")
    time_zone = models.CharField(max_length=64, default="America/Los_Angeles")
    address = models.TextField(blank=True)
    phone = PhoneNumberField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    # The site's wall clock: the one place a site's local time and day are worked out.

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def local(self, moment: datetime.datetime) -> datetime.datetime:
        """``moment`` as the site's clocks show it."""
        return moment.astimezone(self.zone)

    def date_of(self, moment: datetime.datetime) -> datetime.date:
        """The site's calendar day at ``moment`` (a visit's day, a business date)."""
        return self.local(moment).date()

    def today(self, now: datetime.datetime | None = None) -> datetime.date:
        return self.date_of(now or timezone.now())

    def at(self, day: datetime.date, time: datetime.time) -> datetime.datetime:
        """A wall-clock time at the site: 09:00 stays 09:00 across daylight-saving changes."""
        return datetime.datetime.combine(day, time, tzinfo=self.zone)

    def day_bounds(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) of a calendar day on the site's clock (23 or 25 h across DST)."""
        return (
            self.at(day, datetime.time.min),
            self.at(day + datetime.timedelta(days=1), datetime.time.min),
        )


class User(AbstractUser):
    """A member of staff. Roles are groups; ``locations`` are the sites they work at."""

    locations = models.ManyToManyField(Location, blank=True, related_name="staff")
    is_service_account = models.BooleanField(
        default=False,
        editable=False,
        help_text="The user an integration's API key acts as: no password, no login page; "
        "its roles and sites follow the key (integrations).",
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def roles(self) -> set[str]:
        """The role values this user holds (cached for the request)."""
        if not hasattr(self, "_roles"):
            labels = {label: value for value, label in Role.choices}
            if "groups" in getattr(self, "_prefetched_objects_cache", {}):  # a list of staff
                names = [group.name for group in self.groups.all()]
            else:
                names = self.groups.values_list("name", flat=True) if self.pk else []
            self._roles = {labels[name] for name in names if name in labels}
        return self._roles

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def may(self, *roles: str) -> bool:
        """The one "who may" test: holds one of ``roles`` (a group of clinic.roles), or is
        a superuser."""
        return self.is_superuser or self.has_role(*roles)

    def save(self, *args, **kwargs) -> None:
        if self.is_active:
            return super().save(*args, **kwargs)
        # However a user is deactivated (admin form, command, code), their credentials end
        # in the same transaction: clinic.credentials ends them on post_save, sent in here.
        with transaction.atomic():
            super().save(*args, **kwargs)


class StaffSession(AbstractBaseSession):
    """A login session, with the user it belongs to (Django's own table does not say).

    Filled by ``clinic.credentials.SessionStore`` (the SESSION_ENGINE) on every save.
    """

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    @classmethod
    def get_session_store_class(cls):
        # Through the setting, so the model needs no import of clinic.credentials.
        return import_module(settings.SESSION_ENGINE).SessionStore
