from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, its user read once per token with the registry role and the
    model permissions (households.callers)."""

    def authenticate_credentials(self, key):
        from households.callers import caller_by_token  # the models are not loaded when settings read this

        token = caller_by_token(key)
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
