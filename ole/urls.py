from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.static import serve

from ole.health import healthz, readyz
from ole.pagecache import public_page
from series.sitemaps import SITEMAPS
from series.views.reading import robots_txt

admin.site.site_header = "OLE editors"
admin.site.site_title = "OLE editors"
admin.site.index_title = "Editorial desk"

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml",
        public_page(sitemap, params=["p"]),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", public_page(robots_txt), name="robots"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("stories/", include("stories.urls")),
    path("", include("series.urls")),
]

if (settings.DEBUG or settings.OLE_SERVE_MEDIA) and not settings.MEDIA_URL.startswith("http"):
    # Production serves media from object storage or the proxy; this is for development and tests.
    urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
