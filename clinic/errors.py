"""Domain errors shared by every app. Validation problems are Django's ValidationError."""


class ConflictError(Exception):
    """Something is already taken (a chair, a patient's time, a nurse). HTTP 409.

    ``errors`` maps a field name to a message naming what is taken.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))
