from clinic.models import Location

from .models import Chair

CHAIRS_PER_LOCATION = {"irvine": 4, "san-diego": 3}


def seed() -> list[str]:
    created = []
    for code, count in CHAIRS_PER_LOCATION.items():
        location = Location.objects.get(code=code)
        for number in range(1, count + 1):
            _, made = Chair.objects.get_or_create(location=location, name=f"Chair {number}")
            if made:
                created.append(f"chair {location.name} {number}")
    return created
