"""Saved queue views: personal (one user's) and the team's of one brand (docs/search.md, "Saved views").

A view keeps the queue's parameters, never a result: it is validated again by the queue's form each time it is
opened, so a view naming a brand the user lost, or a value no longer valid, falls back like any other filter.
Team views are made and removed by those holding ``view:team`` on the brand, each change recorded in the brand's
configuration trail (``brands.services.audit``) in the same transaction. The limit of views is counted under a row
lock (the brand's for a team view, the user's for a personal one): four saves at once of the last free place
kept four (PostgreSQL), past the limit.
"""

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from brands.access import require
from brands.models import ConfigArea, ConfigSource
from brands.services import audit
from brands.services.locks import lock_brand, lock_user

from ..models import QueuePreference, SavedView

if TYPE_CHECKING:  # the queue's parsed filters, read through their as_query(); services never call selectors
    from ..selectors.queue import QueueFilters

#: at most this many personal views per user, and team views per brand
MAX_VIEWS = 20


class ViewError(Exception):
    """A view that cannot be saved; the message says why, in the user's language."""


def save_view(
    *, user, name: str, filters: "QueueFilters", team_brand_id: int | None = None, via_api: bool = False
) -> SavedView:
    """A personal view (``team_brand_id`` None) or a team view of that brand (404 out of scope, 403 without
    ``view:team``). Names are unique per owner or brand: saving under a taken name is refused. ``via_api``: the
    audit entry's source is the API."""
    query = filters.as_query()
    if team_brand_id is not None:
        require(user, team_brand_id, "view:team")
        # a team view never names another brand: the chosen brand is the team's
        query.pop("brand", None)
        query.pop("mine", None)  # "mine" is whoever opens it: kept, it would mean the creator's tickets
        with transaction.atomic():
            lock_brand(team_brand_id)
            if SavedView.objects.filter(brand_id=team_brand_id).count() >= MAX_VIEWS:
                raise ViewError(_("This team already has %(n)d views.") % {"n": MAX_VIEWS})
            try:
                with transaction.atomic():
                    view = SavedView.objects.create(name=name, brand_id=team_brand_id, query=query, created_by=user)
            except IntegrityError:
                raise ViewError(_("A team view with this name exists already.")) from None
            audit.record(
                brand=team_brand_id,
                user=user,
                source=ConfigSource.API if via_api else ConfigSource.PAGE,
                area=ConfigArea.VIEWS,
                kind="team_view.created",
                before={},
                after={"name": name, "query": query},
                obj=view,
            )
        return view
    with transaction.atomic():
        lock_user(user.pk)
        if SavedView.objects.filter(owner=user).count() >= MAX_VIEWS:
            raise ViewError(_("You have %(n)d views already.") % {"n": MAX_VIEWS})
        try:
            with transaction.atomic():
                return SavedView.objects.create(name=name, owner=user, query=query, created_by=user)
        except IntegrityError:
            raise ViewError(_("You have a view with this name already.")) from None


def delete_view(*, user, view: SavedView, via_api: bool = False) -> None:
    """Remove a view: one's own, or a team view with ``view:team`` on its brand (403 without), audited."""
    if view.brand_id is None:
        view.delete()
        return
    require(user, view.brand_id, "view:team")
    with transaction.atomic():
        deleted, _rows = SavedView.objects.filter(pk=view.pk).delete()
        if deleted:
            audit.record(
                brand=view.brand_id,
                user=user,
                source=ConfigSource.API if via_api else ConfigSource.PAGE,
                area=ConfigArea.VIEWS,
                kind="team_view.deleted",
                before={"name": view.name, "query": view.query},
                after={},
                obj=view,
                object_repr=view.name,
            )


def set_browser_alerts(*, user, enabled: bool) -> None:
    """The user's opt-in to browser notifications (assigned to them, urgent)."""
    current = QueuePreference.objects.filter(user=user).values_list("browser_alerts", flat=True).first()
    if bool(current) == enabled:
        return  # nothing to change (no row is "off")
    QueuePreference.objects.update_or_create(user=user, defaults={"browser_alerts": enabled})
