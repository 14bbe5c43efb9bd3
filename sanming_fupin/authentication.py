from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, its user read once per token with the registry role and the
    model permissions (households.callers), the request counted in the token's throttle window
    in the same round trip to the cache."""

    def authenticate_credentials(self, key):
        # Here, not above: DRF's settings import this module while its views (which common.api
        # imports) are loading, and the models are not loaded yet either.
        from common.api import UserRateThrottle
        from households.callers import caller_by_token

        token = caller_by_token(key, window=UserRateThrottle().token_window(key))
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
