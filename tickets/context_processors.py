from brands.access import CAPABILITIES, brand_ids_for, is_admin, roles_by_brand


def navigation(request) -> dict:
    """What the top bar shows. Reads the user's roles, which the page's own scoping has usually loaded."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    configure, report, review = (
        CAPABILITIES["brand:configure"],
        CAPABILITIES["report:view"],
        CAPABILITIES["reply:approve"],
    )
    roles = roles_by_brand(user).values()
    return {
        "nav_can_configure": is_admin(user) or any(role in configure for role in roles),
        "nav_can_report": is_admin(user) or any(role in report for role in roles),
        "nav_can_review": is_admin(user) or any(role in review for role in roles),
        "nav_can_edit_knowledge": brand_ids_for(user, "knowledge:edit") != [],
        "nav_can_lead": is_admin(user) or any(role in CAPABILITIES["team:view"] for role in roles),
        "nav_can_work": is_admin(user) or any(role in CAPABILITIES["ticket:work"] for role in roles),
    }
