"""The one status-machine helper: a table of legal moves and one refusal."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from clinic.transitions import NEW, IllegalTransition, Transitions
from infusions.models.charting import ALLOWED_TRANSITIONS as INFUSION
from infusions.models.orders import ALLOWED_TRANSITIONS as ORDER
from scheduling.reminders.sending import ALLOWED as MESSAGE
from scheduling.services.changes import ALLOWED as APPOINTMENT


class Door(models.TextChoices):
    SHUT = "shut", "Shut"
    AJAR = "ajar", "Ajar"
    OPEN = "open", "Wide open"
    BRICKED = "bricked", "Bricked up"


D = Door
DOOR = Transitions(
    {
        NEW: {D.SHUT},
        D.SHUT: {D.AJAR, D.BRICKED},
        D.AJAR: {D.OPEN, D.SHUT},
        D.OPEN: {D.SHUT},
        D.BRICKED: set(),
    },
    what="A door",
    labels=Door,
)


def test_a_move_is_allowed_only_if_its_row_lists_it():
    assert DOOR.allowed(D.SHUT, D.AJAR)
    assert DOOR.allowed("ajar", "open")  # plain strings are the same statuses
    assert not DOOR.allowed(D.SHUT, D.OPEN)
    assert not DOOR.allowed(D.BRICKED, D.SHUT)  # final
    assert not DOOR.allowed("unheard-of", D.SHUT)


def test_targets_sources_and_moves_read_the_table_both_ways():
    assert DOOR.targets(D.SHUT) == {D.AJAR, D.BRICKED}
    assert DOOR.targets(D.BRICKED) == frozenset()
    assert DOOR.sources(D.SHUT) == {NEW, D.AJAR, D.OPEN}
    assert DOOR.sources(D.OPEN) == {D.AJAR}
    assert DOOR.sources(NEW) == frozenset()
    assert (D.AJAR, D.OPEN) in DOOR.moves() and len(DOOR.moves()) == 6
    assert DOOR.statuses() == {NEW, *Door.values}


def test_check_returns_the_status_it_moves_from_for_a_status_or_a_row():
    assert DOOR.check(D.SHUT, D.AJAR) == D.SHUT
    assert DOOR.check(SimpleNamespace(status="ajar"), D.OPEN) == "ajar"
    assert DOOR.check(NEW, D.SHUT) == NEW


def test_an_illegal_move_is_a_validation_error_on_the_status_field_in_the_clinics_words():
    with pytest.raises(IllegalTransition) as refused:
        DOOR.check(SimpleNamespace(status=D.SHUT), D.OPEN)
    assert isinstance(refused.value, ValidationError)
    refusal = "A door that is shut cannot become wide open."
    assert refused.value.message_dict == {"status": [refusal]}
    with pytest.raises(IllegalTransition, match="A door that is new cannot become ajar"):
        DOOR.check(NEW, D.AJAR)


def test_a_table_may_refuse_for_the_whole_form_in_its_own_sentence():
    table = Transitions(
        {NEW: {D.SHUT}, D.SHUT: set()}, what="door", labels=Door, field=None,
        refusal="This {what} is {current}; it cannot become {target}.",
    )  # fmt: skip
    with pytest.raises(IllegalTransition) as refused:
        table.check(D.SHUT, D.SHUT)
    assert refused.value.messages == ["This door is shut; it cannot become shut."]
    assert not hasattr(refused.value, "error_dict")


def test_without_labels_the_refusal_names_the_raw_statuses():
    table = Transitions({"a": {"b"}, "b": set()}, what="A thing")
    with pytest.raises(IllegalTransition, match="A thing that is b cannot become a"):
        table.check("b", "a")


def test_a_target_without_a_row_of_its_own_is_refused_when_the_table_is_built():
    with pytest.raises(ValueError, match="open"):
        Transitions({D.SHUT: {D.OPEN}}, what="A door")


@pytest.mark.parametrize(
    ("table", "start", "final"),
    [
        (APPOINTMENT, "scheduled", {"completed", "cancelled", "no_show"}),
        (ORDER, NEW, {"cancelled"}),
        (INFUSION, NEW, {"discharged", "not_given"}),
        (MESSAGE, "pending", {"sent", "cancelled", "skipped"}),
    ],
    ids=["appointment", "dose order", "infusion", "message"],
)
def test_the_four_status_machines_are_tables_of_this_one_kind(table, start, final):
    assert isinstance(table, Transitions)
    assert {s for s in table.statuses() if not table.targets(s)} == final
    reached, frontier = {start}, {start}
    while frontier:
        frontier = {t for s in frontier for t in table.targets(s)} - reached
        reached |= frontier
    assert reached == table.statuses()  # no status the machine can never reach
