from django.urls import path

from sanming_fupin.urls import urlpatterns as project_urlpatterns

from .views import bare_households

urlpatterns = [path("bench/bare/households/", bare_households), *project_urlpatterns]
