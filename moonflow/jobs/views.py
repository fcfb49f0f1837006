from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from moonflow.dialogs import is_htmx

from .lists import build_job_log
from .selectors import get_job_file_for_member, get_job_for_member, notification_list
from .services import notifications_mark_read

@require_GET
@vary_on_headers("HX-Request")
def job_list_view(request):
    log = build_job_log(member=request.member, params=request.GET)
    context = {
        "tray": log,
        "jobs": log.rows,
        # The log refreshes itself only while something on it can still change.
        "polling": any(job.changes_by_itself for job in log.rows),
        "here": request.get_full_path(),
        "list_url": reverse("jobs:list", kwargs={"project": request.project.slug}),
        "section": "jobs",
        "retention_days": settings.JOB_FILE_RETENTION_DAYS,
    }
    template = "jobs/_job_table.html" if is_htmx(request) else "jobs/job_list.html"
    return render(request, template, context)


@require_GET
@vary_on_headers("HX-Request")
def job_detail(request, pk):
    job = get_job_for_member(request.member, pk)
    if job.is_finished:
        # Seeing the finished job is reading its notification.
        notifications_mark_read(member=request.member, job=job)
    template = "jobs/_job_progress.html" if is_htmx(request) else "jobs/job_detail.html"
    context = {"job": job, "retention_days": settings.JOB_FILE_RETENTION_DAYS}
    return render(request, template, context)


@require_GET
def job_download(request, pk, which):
    job_file = get_job_file_for_member(request.member, pk, which)
    try:
        handle = job_file.file.open("rb")
    except FileNotFoundError:
        raise Http404("No such file") from None
    return FileResponse(handle, as_attachment=True, filename=job_file.filename)


@require_GET
def notifications(request):
    items = notification_list(member=request.member)[:100]
    return render(request, "jobs/notifications.html", {"notifications": items})


@require_POST
def notifications_read(request):
    notifications_mark_read(member=request.member)
    messages.success(request, _("Notificaciones marcadas como leídas."))
    return redirect("jobs:notifications", project=request.project.slug)
