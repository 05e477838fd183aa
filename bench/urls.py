"""The production URLs plus the ceiling page; used only when OLE_ROOT_URLCONF=bench.urls."""

from django.urls import path

from bench.views import ceiling
from ole.urls import urlpatterns as site_patterns

urlpatterns = [*site_patterns, path("bench/ceiling/", ceiling, name="bench_ceiling")]
