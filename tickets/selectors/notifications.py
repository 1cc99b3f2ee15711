"""The user's notifications."""

from django.db.models import QuerySet

from brands.access import scope_to_brands

from ..models import Notification


def notifications_for(user) -> QuerySet[Notification]:
    """The user's own notifications, of brands they still see."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return scope_to_brands(Notification.objects.filter(user_id=user.pk), user)
