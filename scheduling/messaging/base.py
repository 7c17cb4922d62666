class ProviderError(Exception):
    """The provider did not take the message. ``transient``: a later try may succeed."""

    def __init__(self, message: str, *, transient: bool = True) -> None:
        super().__init__(message)
        self.transient = transient


class SmsBackend:
    """One text message to one number; returns the provider's id for it."""

    def send(self, *, to: str, body: str, reference: str) -> str:
        raise NotImplementedError
