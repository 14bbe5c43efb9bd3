"""The one refusal: the acting user may not make this write.

The services raise it (after asking their app's access.py); each door maps it to its own answer:
the admin shows it as a message, the API as 403 (or 400 naming the field, when `field` names a
value chosen outside the actor's scope), the Excel import as a refused row, a command exits 1."""

from django.core.exceptions import PermissionDenied


class Refused(PermissionDenied):
    """A write the actor may not make. A PermissionDenied, so that a door that does not catch it
    still answers 403, never 500."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message
