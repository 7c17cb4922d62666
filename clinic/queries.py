"""Small helpers that keep a request's queries from growing with its rows."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db import models


def known_new(instance: models.Model) -> None:
    """A row about to be inserted has no rows pointing at it one-to-one yet. The audit
    log's diff reads every reverse one-to-one, and Django caches the "none" it finds: cached
    first, the diff asks the database nothing (booking a course: no read per session)."""
    for relation in instance._meta.related_objects:
        if relation.one_to_one:
            relation.set_cached_value(instance, None)


@contextmanager
def bounded_repeats() -> Iterator[None]:
    """A repeat that is deliberate and bounded (the planner asked for each of three booster
    options): the N+1 detector of the test suite (django-zeal, ZEAL=1) lets it through."""
    if not apps.is_installed("zeal"):
        yield
        return
    from zeal import zeal_ignore

    with zeal_ignore():
        yield
