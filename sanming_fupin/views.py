"""Views of the project itself: the API's token endpoint and the answer to a locked-out login."""

from django.contrib import admin
from django.contrib.auth.signals import user_logged_in
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken


class TokenView(ObtainAuthToken):
    """POST username and password, get the token. Authenticates with Django's own request, so that
    django-axes counts the failures and locks the username out as it does for the admin."""

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "request": self.request._request}

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # A successful login, as the admin's: axes starts counting afresh, last_login is kept.
        user = Token.objects.get(key=response.data["token"]).user
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        return response


def lockout(request, original_response=None, credentials=None):
    """After 5 failures in a row (django-axes): JSON for the API, a page for people."""
    message = "登录失败次数过多，该账号已锁定 30 分钟，请稍后再试或联系管理员。"
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    context = {**admin.site.each_context(request), "message": message, "title": "账号已锁定"}
    return render(request, "lockout.html", context, status=429)
