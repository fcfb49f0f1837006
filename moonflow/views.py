from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from moonflow.tenancy.selectors import memberships_for_user


@login_required
def home(request):
    """Open the first project the user belongs to; Cuentas por cobrar → Clientes."""
    membership = memberships_for_user(request.user).first()
    if membership is None:
        return render(request, "no_project.html", status=403)
    return redirect("clients:list", project=membership.project.slug)


def project_home(request):
    return redirect("clients:list", project=request.project.slug)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
