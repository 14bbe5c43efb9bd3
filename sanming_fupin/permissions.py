"""The API's default permission (settings.REST_FRAMEWORK). A module of its own: DRF reads it while
defining its views, so it may not import them (common/api.py does)."""

from rest_framework.permissions import BasePermission


class HasRole(BasePermission):
    """Every API view's first gate: a signed-in account with a role in the registry (or a
    superuser). An account without a role reads nothing, not even the places and the plan; what a
    role then sees and changes is households/access.py's to say."""

    message = "您的账号没有登记库角色，不能使用接口"

    def has_permission(self, request, view):
        from households.access import user_role  # the models are not loaded when settings read this

        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user_role(user) is not None))
