"""What the top bar and the settings pages show: each role sees what it may use, and nothing it may not (a link
never answers 403). Reads the user's roles, which the page's own scoping has usually loaded (no extra query)."""

from brands.access import brand_ids_for, is_admin


class EveryBrand:
    """``brand.pk in ids`` for an admin: every brand."""

    def __contains__(self, _brand_id) -> bool:
        return True

    def __bool__(self) -> bool:
        return True


def _ids(user, perm: str):
    ids = brand_ids_for(user, perm)
    return EveryBrand() if ids is None else frozenset(ids)


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    configure = _ids(user, "brand:configure")
    goals = _ids(user, "goals:edit")
    history = _ids(user, "settings:history")
    return {
        "nav_can_configure": bool(configure),
        "nav_can_report": bool(_ids(user, "report:view")),
        "nav_can_review": bool(_ids(user, "reply:approve")),
        "nav_can_edit_knowledge": bool(_ids(user, "knowledge:edit")),
        "nav_can_settings": bool(configure) or bool(goals) or bool(history),
        "nav_can_channels": is_admin(user) or bool(configure),
        "nav_can_lead": bool(_ids(user, "team:view")),
        "nav_can_grade": bool(_ids(user, "qa:grade")),
        "nav_can_work": bool(_ids(user, "ticket:work")),
        # brand ids for the settings pages' own navigation (``brand.pk in nav_configure_ids``)
        "nav_configure_ids": configure,
        "nav_goals_ids": goals,
        "nav_history_ids": history,
    }


def landing_url_name(user) -> str:
    """Where "/" and a log-in without ``next`` go: brand managers (who read and do not work tickets) land on the
    reports; everyone else on the queue."""
    if not is_admin(user) and brand_ids_for(user, "ticket:work") == [] and brand_ids_for(user, "report:view"):
        return "tickets:reports"
    return "tickets:queue"
