"""What a page says after it queued a job."""

from django.contrib import messages
from django.utils.translation import gettext as _


def announce_job(request, job, scheduled: str) -> None:
    """`scheduled` when the broker took the job; else that it is recorded and will be sent."""
    if getattr(job, "enqueued", None) is False:
        messages.warning(
            request,
            _("La solicitud quedó registrada, pero el procesador de tareas no responde en este "
              "momento. Se enviará automáticamente en cuanto responda; la verás en el Log de "
              "procesos."),
        )
    else:
        messages.success(request, scheduled)
