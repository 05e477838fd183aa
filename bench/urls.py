"""The production URLs plus the ceiling and the ten-row anchor; used only when OLE_ROOT_URLCONF=bench.urls."""

from django.urls import path

from bench.views import ceiling, ten_rows
from ole.urls import urlpatterns as site_patterns

urlpatterns = [
    *site_patterns,
    path("bench/ceiling/", ceiling, name="bench_ceiling"),
    path("bench/ten-rows/", ten_rows, name="bench_ten_rows"),
]
