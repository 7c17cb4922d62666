"""Status machines: a table of the legal moves of one status, and one refusal for the rest.

Appointments, dose orders, infusion records and outbound messages each keep their own table
(next to their model), their own history model and their own service that writes the move;
what they share is here: is this move legal, which statuses lead to this one, and the error
when it is not legal. ``IllegalTransition`` is a ``ValidationError``, so a form shows it as a
field error and the API answers 400, like any other refusal of a service.

This module is the bottom layer: it knows statuses as plain strings (a ``TextChoices`` member
is one), never an app's model.
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError

NEW = ""  # the status "before" a row that has none yet, e.g. an order with no event


class IllegalTransition(ValidationError):
    """A status change the transition table does not allow."""


class Transitions:
    """The legal moves of one status: ``{from_status: {to_status, ...}}``.

    ``what`` names the thing in the refusal ("An appointment"); ``labels`` (a ``TextChoices``
    class) gives each status its words; ``field`` is the form field the refusal belongs to
    (None: the whole form); ``refusal`` is the sentence, with ``{what}``, ``{current}`` and
    ``{target}``. Every status a move leads to must have its own row (empty when final), so
    a typo in a table fails at import, not on a patient's visit.
    """

    def __init__(
        self,
        moves: Mapping[str, Iterable[str]],
        *,
        what: str,
        labels: type | None = None,
        field: str | None = "status",
        refusal: str = "{what} that is {current} cannot become {target}.",
    ) -> None:
        self._moves = {source: frozenset(targets) for source, targets in moves.items()}
        missing = {t for targets in self._moves.values() for t in targets} - set(self._moves)
        if missing:
            raise ValueError(
                f"No row for {sorted(map(str, missing))} in the transitions of {what!r}."
            )
        self.what, self.labels, self.field, self.refusal = what, labels, field, refusal

    def __repr__(self) -> str:
        return f"<Transitions of {self.what!r}: {len(self.moves())} moves>"

    def statuses(self) -> frozenset[str]:
        return frozenset(self._moves)

    def targets(self, current: str) -> frozenset[str]:
        """Where ``current`` may go next (nothing for a final or unknown status)."""
        return self._moves.get(current, frozenset())

    def sources(self, target: str) -> frozenset[str]:
        """The statuses that may move to ``target``."""
        return frozenset(s for s, targets in self._moves.items() if target in targets)

    def moves(self) -> set[tuple[str, str]]:
        """Every legal (from, to) pair."""
        return {(s, t) for s, targets in self._moves.items() for t in targets}

    def allowed(self, current: str, target: str) -> bool:
        return target in self.targets(current)

    def describe(self, status: str) -> str:
        """A status in words, lower case, as the refusals say it: "" is "new"."""
        if status == NEW:
            return "new"
        if self.labels is None:
            return str(status)
        return self.labels(status).label.lower()

    def check(self, current, target: str) -> str:
        """Refuse the move unless the table allows it; return the status it moves from.

        ``current`` is a status or a row with a ``status`` attribute.
        """
        status = current if isinstance(current, str) else current.status
        if self.allowed(status, target):
            return status
        text = self.refusal.format(
            what=self.what, current=self.describe(status), target=self.describe(target)
        )
        raise IllegalTransition({self.field: text} if self.field else text)
