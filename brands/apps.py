from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandsConfig(AppConfig):
    name = "brands"
    verbose_name = _("Brands")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from smrc import checks  # noqa: F401  (registers the deployment checks)

        from .middleware import on_login

        # Signing in counts as being seen (presence for automatic assignment), so the first page after it
        # does not write.
        user_logged_in.connect(on_login, dispatch_uid="brands.presence")
