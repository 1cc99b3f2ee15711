"""The team view for supervisors (``team:view``): the shift of one brand or of every brand they lead, refreshed in
place by htmx, the tickets about to breach assigned through ``views/workspace.py``; and "My performance" for
whoever works tickets (``ticket:work``). docs/team.md."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from brands.access import brand_ids_for, brands_for, get_brand_for_user, has_perm

from ..forms.team import PERIODS, PerformanceForm
from ..reports.performance import performance
from ..reports.qa import my_qa
from ..reports.queries import ReportRange
from ..selectors.team import SLA_STATES, shift

BRAND_FIELDS = ("pk", "name", "slug", "time_zone", "sla_warning_minutes")


@login_required
def team(request, slug: str | None = None):
    """The shift. 404 for a brand out of scope, 403 without ``team:view`` (on the brand, or on every brand)."""
    led = list(brands_for(request.user, perm="team:view").only(*BRAND_FIELDS).order_by("name"))
    if slug is None:
        if not led:
            raise PermissionDenied
        brands = led
    else:
        brand = get_brand_for_user(request.user, slug, perm="team:view")
        brands = [b for b in led if b.pk == brand.pk]
    now = timezone.now()
    data = shift(brands, now=now)
    names = {b.pk: b.name for b in brands}
    by_brand: dict[int, list] = {b.pk: [] for b in brands}
    for member in data.members:
        member.brand_names = [names[pk] for pk in member.brand_ids if pk in names]
        for pk in member.brand_ids:
            by_brand.setdefault(pk, []).append(member)
    for ticket in data.breaching:
        # who the ticket can go to: people of its brand, online operators first, then the lightest open load in that
        # brand (as the teammate picker and automatic assignment count it; supervisors after operators); the first
        # is chosen
        choices = sorted(
            by_brand.get(ticket.brand_id, []),
            key=lambda m, b=ticket.brand_id: (not m.online, m.role != "operator", m.load_in(b), m.name),
        )
        ticket.assign_choices = [(m, m.load_in(ticket.brand_id)) for m in choices]
        ticket.can_assign = has_perm(request.user, ticket.brand_id, "ticket:assign")
    context = {
        "shift": data,
        "brand": brands[0] if slug is not None else None,
        "led": led,
        "show_brand": len(brands) > 1,
        "states": SLA_STATES,
        "refresh_seconds": settings.SMRC_QUEUE_REFRESH_SECONDS,
        "online_minutes": settings.SMRC_ONLINE_MINUTES,
    }
    if request.htmx and request.htmx.target == "team-body":
        return render(request, "tickets/team/_body.html", context)
    return render(request, "tickets/team/team.html", context)


@login_required
def my_performance(request):
    """The person's own figures beside the team's medians, over the brands they work (or one of them)."""
    form = PerformanceForm(request.GET)
    days, slug = form.period(), form.brand_slug()
    worked = brand_ids_for(request.user, "ticket:work")
    if worked == []:
        raise PermissionDenied
    brands = list(brands_for(request.user, perm="ticket:work").only("pk", "name", "slug", "time_zone").order_by("name"))
    if slug:
        brand = get_brand_for_user(request.user, slug, perm="ticket:work")
        chosen = [brand]
    else:
        brand, chosen = None, brands
    zones = {b.time_zone for b in chosen}
    zone = ZoneInfo(zones.pop() if len(zones) == 1 else settings.TIME_ZONE)
    today = timezone.now().astimezone(zone).date()
    rng = ReportRange(today - timedelta(days=days - 1), today, zone)
    context = {
        "perf": performance(request.user, [b.pk for b in chosen], rng),
        "qa": my_qa(request.user, [b.pk for b in chosen], rng),
        "brands": brands,
        "brand": brand,
        "days": days,
        "periods": PERIODS,
        "ignored_filters": sorted(form.errors.items()),
    }
    return render(request, "tickets/team/performance.html", context)
