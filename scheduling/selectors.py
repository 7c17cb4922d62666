from itertools import groupby

from clinic.access import locations_for
from clinic.models import User

from .models import Chair


def board_chairs_for(user: User) -> list[tuple]:
    """The in-service chairs of the user's sites, grouped by site."""
    chairs = (
        Chair.objects.in_service()
        .at_locations(locations_for(user))
        .select_related("location")
        .order_by("location__name", "name")
    )
    return [
        (location, list(group)) for location, group in groupby(chairs, key=lambda c: c.location)
    ]
