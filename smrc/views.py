from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """Liveness for load balancers: the process answers and the database takes a query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
