"""Where a job that waits for its requester is continued.

A job that stops for the user (an import waiting for its mapping or its
confirmation) is taken up on a page of the app that started it. Each app
registers that page per job kind; the Log de procesos links to it.
"""

from __future__ import annotations

from django.urls import reverse

from .models import JobStatus

_PAGES: dict[str, str] = {}


def register_continue_page(kind: str, url_name: str) -> None:
    """`url_name` takes the project's slug and the job's pk."""
    _PAGES[kind] = url_name


def continue_url(job, project_slug: str) -> str | None:
    """The page that takes the user's next step, while the job waits for one."""
    if job.status != JobStatus.AWAITING:
        return None
    name = _PAGES.get(job.kind)
    if name is None:
        return None
    return reverse(name, kwargs={"project": project_slug, "pk": job.pk})
