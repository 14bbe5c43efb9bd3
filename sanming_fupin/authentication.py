from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, fetching the user's registry role in the same query."""

    def authenticate_credentials(self, key):
        try:
            token = self.get_model().objects.select_related("user", "user__registry_role").get(key=key)
        except self.get_model().DoesNotExist:
            raise AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
