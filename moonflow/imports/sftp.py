"""SFTP sources: poll a customer's folder, import each new file with its template, move it away.

A poll lists the source's folder, takes each file whose name matches the
pattern and that was never taken before (name + size + SHA-256:
`SftpFile`), and starts an import job with the source's template, mode and
scope, confirmed without a person (`auto_confirm`) unless the truncated-file
guard needs one. When the job ends, the file is moved to `procesados/` (or
`errores/` when the import failed). A source's connection, authentication and
mapping failures are written on the source (its page shows them) and, when a
source goes from working to failing, as a failed entry in the Log de procesos.

Host keys: the first successful connection learns the server's key; later
connections require the same key (a changed key is refused, as ssh does).
"""

from __future__ import annotations

import asyncio
import fnmatch
import hashlib
import logging
import posixpath
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import asyncssh
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moonflow.jobs.models import JobStatus, ProcessJob
from moonflow.jobs.runner import notify_requester, stored_message
from moonflow.jobs.services import files_expiry_from

from .models import SftpFile, SftpSource
from .secrets import decrypt

logger = logging.getLogger(__name__)

PROCESSED = "procesados"
FAILED = "errores"


class SftpError(Exception):
    """A source that cannot be reached or read; the message is for the user."""


@dataclass
class RemoteFile:
    name: str
    size: int


def _connect_options(source: SftpSource, *, learn: bool) -> dict:
    options = {
        "host": source.host, "port": source.port, "username": source.username,
        "password": decrypt(source.password_encrypted) or None,
        "connect_timeout": settings.SFTP_TIMEOUT_SECONDS,
        "login_timeout": settings.SFTP_TIMEOUT_SECONDS,
    }
    key = decrypt(source.private_key_encrypted)
    options["client_keys"] = [asyncssh.import_private_key(key)] if key else None
    if source.host_key and not learn:
        options["known_hosts"] = asyncssh.import_known_hosts(
            f"[{source.host}]:{source.port} {source.host_key}\n{source.host} {source.host_key}\n")
    else:
        options["known_hosts"] = None
    return options


def _explain(error: Exception, source: SftpSource) -> str:
    if isinstance(error, asyncssh.PermissionDenied):
        return _("El servidor %(host)s rechazó el usuario o la contraseña/clave de «%(user)s».") % {
            "host": source.host, "user": source.username}
    if isinstance(error, asyncssh.HostKeyNotVerifiable):
        return _("La clave del servidor %(host)s cambió desde la primera conexión: no se "
                 "conecta (podría ser otro servidor). Si el cambio es legítimo, edite la fuente "
                 "y olvide la clave guardada.") % {"host": source.host}
    if isinstance(error, asyncssh.SFTPNoSuchFile):
        return _("La carpeta «%(folder)s» no existe en %(host)s.") % {
            "folder": source.folder, "host": source.host}
    if isinstance(error, (OSError, asyncio.TimeoutError, asyncssh.Error)):
        return _("No se pudo conectar a %(host)s:%(port)s (%(detail)s).") % {
            "host": source.host, "port": source.port, "detail": str(error) or type(error).__name__}
    return str(error)


def _run(source: SftpSource, work):
    """Connect, run `work(sftp)` (a coroutine function), and learn the host key the first time."""

    learnt = {}

    async def main():
        async with asyncssh.connect(**_connect_options(source, learn=not source.host_key)) as conn:
            if not source.host_key:
                key = conn.get_server_host_key()
                if key is not None:
                    learnt["key"] = key.export_public_key().decode().strip()
            async with conn.start_sftp_client() as sftp:
                return await work(sftp)

    try:
        result = asyncio.run(main())
    except Exception as error:  # noqa: BLE001 - every failure is the user's to read
        raise SftpError(_explain(error, source)) from error
    if learnt:
        source.host_key = learnt["key"]
        SftpSource.objects.filter(pk=source.pk).update(host_key=source.host_key)
    return result


def list_new_files(source: SftpSource) -> list[RemoteFile]:
    async def work(sftp):
        found = []
        for entry in await sftp.readdir(source.folder):
            permissions = entry.attrs.permissions if entry.attrs else None
            if entry.filename in (".", "..") or permissions is None or not stat.S_ISREG(
                    permissions):
                continue  # regular files only
            if fnmatch.fnmatch(entry.filename.lower(), source.pattern.lower()):
                found.append(RemoteFile(entry.filename, entry.attrs.size or 0))
        return sorted(found, key=lambda f: f.name)

    return _run(source, work)


def download(source: SftpSource, remote: RemoteFile, target: Path) -> None:
    async def work(sftp):
        await sftp.get(posixpath.join(source.folder, remote.name), str(target))

    _run(source, work)


def move(source: SftpSource, name: str, folder: str) -> None:
    """Move a taken file into `folder` beside it (created when missing); an existing one is
    replaced."""

    async def work(sftp):
        target_dir = posixpath.join(source.folder, folder)
        if not await sftp.exists(target_dir):
            await sftp.mkdir(target_dir)
        target = posixpath.join(target_dir, name)
        if await sftp.exists(target):
            await sftp.remove(target)
        await sftp.rename(posixpath.join(source.folder, name), target)

    _run(source, work)


def check_connection(source: SftpSource) -> tuple[bool, str]:
    """"Probar conexión": (ok, message); the result is shown on the source too."""
    try:
        files = list_new_files(source)
    except SftpError as error:
        _record(source, ok=False, message=str(error))
        return False, str(error)
    message = _("Conexión correcta: %(n)s archivos con el patrón «%(pattern)s» en «%(folder)s».") % {
        "n": len(files), "pattern": source.pattern, "folder": source.folder}
    _record(source, ok=True, message=message)
    return True, message


# --- Polling ---------------------------------------------------------------------------------


def due_sources(now=None):
    now = now or timezone.now()
    for source in SftpSource.objects.filter(is_active=True).select_related(
            "project", "template", "scope_adviser"):
        if source.last_polled_at is None or (
                now - source.last_polled_at).total_seconds() >= source.every_minutes * 60 - 5:
            yield source


def poll(source: SftpSource) -> list[ProcessJob]:
    """Take the source's new files; an import job for each. Failures go on the source."""
    from .registry import get_importer
    from .services import import_from_source

    started = []
    try:
        files = list_new_files(source)
        for remote in files:
            with tempfile.TemporaryDirectory() as folder:
                local = Path(folder) / remote.name
                download(source, remote, local)
                checksum = _sha256(local)
                if SftpFile.objects.filter(project=source.project, source=source,
                                           name=remote.name, size=local.stat().st_size,
                                           checksum=checksum).exists():
                    move(source, remote.name, PROCESSED)  # taken before; its move had failed
                    continue
                with open(local, "rb") as handle:
                    job = import_from_source(source, get_importer(source.entity),
                                             File(handle, name=remote.name))
                SftpFile.objects.create(project=source.project, source=source, name=remote.name,
                                        size=local.stat().st_size, checksum=checksum, job=job)
                if job.status == JobStatus.FAILED:
                    move(source, remote.name, FAILED)
                started.append(job)
    except SftpError as error:
        _record(source, ok=False, message=str(error))
        return started
    _record(source, ok=True, message=_("Revisada: %(n)s archivos nuevos.") % {"n": len(started)})
    return started


def after_import(job: ProcessJob) -> None:
    """Once an SFTP import ends, move its file to procesados/ or errores/."""
    source_id = (job.options or {}).get("sftp_source_id")
    if not source_id:
        return
    source = SftpSource.objects.filter(pk=source_id).first()
    if source is None:
        return
    folder = FAILED if job.status == JobStatus.FAILED else PROCESSED
    try:
        move(source, job.input_name, folder)
    except SftpError as error:
        _record(source, ok=False, message=_("No se pudo mover «%(file)s» a %(folder)s/: "
                                            "%(error)s") % {
            "file": job.input_name, "folder": folder, "error": error})


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _record(source: SftpSource, *, ok: bool, message: str) -> None:
    """The source's state; a source that starts failing also leaves a failed entry in the Log."""
    was_ok = source.last_ok
    now = timezone.now()
    SftpSource.objects.filter(pk=source.pk).update(last_polled_at=now, last_ok=ok,
                                                   last_message=message)
    source.last_polled_at, source.last_ok, source.last_message = now, ok, message
    if not ok and was_ok is not False:
        from .registry import get_importer

        text, translations = stored_message(
            _("Fuente SFTP «%(name)s»: %(message)s") % {"name": source.name, "message": message})
        with transaction.atomic():
            job = ProcessJob.objects.create(
                project=source.project, kind=get_importer(source.entity).job_kind,
                status=JobStatus.FAILED, title=_("SFTP: %(name)s") % {"name": source.name},
                message=text, message_translations=translations, finished_at=now,
                files_expire_at=files_expiry_from(now),
                options={"entity": source.entity, "sftp_source_id": source.pk, "source": "sftp"},
            )
            notify_requester(job)
