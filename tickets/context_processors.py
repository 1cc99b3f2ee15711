from brands.access import CAPABILITIES, is_admin, roles_by_brand


def navigation(request) -> dict:
    """What the top bar shows. Reads the user's roles, which the page's own scoping has usually loaded."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    configure = CAPABILITIES["brand:configure"]
    return {"nav_can_configure": is_admin(user) or any(role in configure for role in roles_by_brand(user).values())}
