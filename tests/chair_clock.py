"""Moving the clock forward in chair tests, for the rules that an infusion runs its planned
minutes and recovery lasts its minimum before discharge (instead of weakening the rules).

``advance(minutes)`` starts a ticking ``time_machine`` traveller that far ahead of the current
(possibly already moved) time and keeps it for the rest of the test; the autouse fixture in
``tests/conftest.py`` stops every traveller at teardown, so no test leaks a moved clock.
"""

import datetime

import time_machine
from django.utils import timezone

_started: list = []


def advance(minutes: float) -> datetime.datetime:
    """Move the clock ``minutes`` ahead for the rest of the test; returns the new now."""
    traveller = time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=True)
    traveller.start()
    _started.append(traveller)
    return timezone.now()


def stop_all() -> None:
    while _started:
        _started.pop().stop()
