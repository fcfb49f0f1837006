"""A real SFTP server on 127.0.0.1 for the tests (asyncssh's), serving a temporary folder."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import asyncssh

USER = "moonflow"
PASSWORD = "s3creto-sftp"


class _Server(asyncssh.SSHServer):
    def begin_auth(self, username):
        return True

    def password_auth_supported(self):
        return True

    def validate_password(self, username, password):
        return username == USER and password == PASSWORD


class SftpServer:
    """Start with `start()`; `root` is the folder a client sees as "/"; `port` its port."""

    def __init__(self, root: Path):
        self.root = root
        self.port = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._listener = None

    def start(self) -> SftpServer:
        self._thread.start()
        key = asyncssh.generate_private_key("ssh-ed25519")
        root = str(self.root)

        async def listen():
            return await asyncssh.listen(
                "127.0.0.1", 0, server_factory=_Server, server_host_keys=[key],
                sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=root))

        self._listener = asyncio.run_coroutine_threadsafe(listen(), self._loop).result(10)
        self.port = self._listener.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close():
            self._listener.close()
            await self._listener.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
