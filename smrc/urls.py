from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tickets.views.queue import home

from .health import healthz, readyz
from .metrics import metrics

urlpatterns = [
    path("", home, name="home"),  # managers land on the reports, everyone else on the queue
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # probes answer with and without the slash: load balancers do not follow redirects
    path("healthz", healthz),
    path("healthz/", healthz, name="healthz"),
    path("readyz", readyz),
    path("readyz/", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("", include("tickets.urls")),
]

# the database down is a 503 with Retry-After, not a 500 (smrc/unavailable.py)
handler500 = "smrc.unavailable.server_error"
# an unknown URL under /api/ answers JSON, as the rest of the API (smrc/errors.py)
handler404 = "smrc.errors.not_found"
