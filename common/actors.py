"""Who acts. Every service that writes takes an `actor`: a signed-in user, or the registry itself."""


class SystemActor:
    """The registry acting on its own: a management command run without --user, the demo registry,
    a data migration. It may make any write a superuser may; nobody is named in the history for it.

    Shaped like a user where the scoping functions read one (is_authenticated, is_superuser,
    has_perm), so they need no case of their own for it."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = False
    is_anonymous = False
    pk = id = None
    registry_role = None  # no role: the superuser's rules apply

    def get_username(self) -> str:
        return ""

    def has_perm(self, perm, obj=None) -> bool:
        return True

    def __str__(self) -> str:
        return "系统"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def person(actor):
    """The user to name in the history and the logs for `actor`: None for the system."""
    return None if actor is SYSTEM or actor is None or not actor.is_authenticated else actor
