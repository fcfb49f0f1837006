"""A real Citus cluster on one machine, for `make test-citus`.

Citus (PostgreSQL sharded by tenant) is built once from the source vendored in
`vendor/citus/` against the machine's PostgreSQL 15 (Debian's
`postgresql-15` and `postgresql-server-dev-15`), and cached outside the clone
under `$MOONFLOW_CACHE` (default `~/.cache/moonflow`) in a directory named by
the checksum of the source and its patches: a second clone, or a second run,
builds nothing.

The build is installed into a private copy of PostgreSQL's tree, never into
the system's: PostgreSQL finds its libraries and extensions relative to the
`postgres` binary it runs from, so the cache holds the server's binaries
(copied), its libraries and shared files (linked) and Citus's files beside
them. Nothing needs root once the packages are there.

    python -m moonflow.citusstack build          # build (or find) Citus; print where
    python -m moonflow.citusstack start          # coordinator + two workers, stays up
    python -m moonflow.citusstack test [args]    # the cluster up, pytest against it
    python -m moonflow.citusstack exec CMD...    # any command with the cluster up

The coordinator listens on 127.0.0.1:9700, the workers on 9701 and 9702
(`CITUS_PORT` moves the three), with their data under `.data/citus/` (run as
root, the servers run as the `postgres` user, and the build is cached under
/var/cache/moonflow where that user can read it).
`test` points DATABASE_URL at the coordinator, starts a Redis like
`moonflow.localstack`, and runs the suite on `moonflow.settings.test` with
`MOONFLOW_CITUS=1`, which makes the test database's tables distributed
(`manage.py distribute_tables`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "vendor" / "citus"
SOURCE = VENDOR / "citus-13.2.2.tar.gz"
PATCHES = sorted(VENDOR.glob("*.patch"))
PG_CONFIG = Path(os.environ.get("CITUS_PG_CONFIG", "/usr/lib/postgresql/15/bin/pg_config"))
CLUSTER = ROOT / ".data" / "citus"
BASE_PORT = int(os.environ.get("CITUS_PORT", "9700"))
WORKERS = 2
# The product's database and the test suite's (kept between runs: pytest's --reuse-db),
# each created on every node before Django sees it.
DATABASES = ("moonflow", "moonflow_test")
PACKAGES = ("build-essential patch postgresql-15 postgresql-server-dev-15 libcurl4-openssl-dev "
            "liblz4-dev libzstd-dev libkrb5-dev libselinux1-dev libxslt1-dev libpam0g-dev "
            "libreadline-dev")


def _log(message: str) -> None:
    print(f"[citus] {message}", flush=True)


def _source_key() -> str:
    digest = hashlib.sha256()
    for path in (SOURCE, *PATCHES):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(_pg_config("--version").encode())
    return digest.hexdigest()[:16]


def _pg_config(option: str) -> str:
    if not PG_CONFIG.exists():
        raise SystemExit(f"PostgreSQL 15 is needed to build Citus: apt-get install -y {PACKAGES}")
    return subprocess.run([str(PG_CONFIG), option], check=True, capture_output=True,
                          text=True).stdout.strip()


def cache_dir() -> Path:
    # As root the servers run as `postgres`, who cannot enter root's home: a shared cache then.
    default = (Path("/var/cache/moonflow") if os.geteuid() == 0
               else Path.home() / ".cache" / "moonflow")
    base = Path(os.environ.get("MOONFLOW_CACHE", default))
    return base / f"citus-{_source_key()}"


def _reachable_by_others(path: Path) -> bool:
    """Whether a user who owns none of `path`'s parents may reach it (o+x all the way; a
    parent not made yet is made later with the usual 0755)."""
    return all(parent.stat().st_mode & 0o001
               for parent in path.resolve().parents if parent.exists())


def cluster_dir() -> Path:
    """`.data/citus/` of the clone; where the `postgres` user cannot reach it (a clone under
    a private home, run as root), a directory of its own under /var/tmp."""
    if os.geteuid() != 0 or _reachable_by_others(CLUSTER):
        return CLUSTER
    key = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    return Path("/var/tmp") / f"moonflow-citus-{key}"


def bin_dir() -> Path:
    """The private PostgreSQL tree's bin directory (the same relative layout as the system's)."""
    return cache_dir() / "root" / Path(_pg_config("--bindir")).relative_to("/")


def build() -> Path:
    """Build and install Citus into the cache once; return the private bin directory."""
    target = cache_dir()
    done = target / "built"
    if done.exists():
        return bin_dir()
    server_headers = Path(_pg_config("--includedir-server"))
    if not (server_headers / "postgres.h").exists():
        raise SystemExit(f"Citus builds against PostgreSQL's server headers: "
                         f"apt-get install -y {PACKAGES}")
    if target.exists():
        shutil.rmtree(target)
    source = target / "src"
    source.mkdir(parents=True)
    _log(f"building Citus from {SOURCE.name} into {target} (several minutes, once)")
    with tarfile.open(SOURCE) as archive:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: refuse links and paths outside
            archive.extractall(source, filter="data")
        else:  # the vendored archive, checked by its checksum in the cache key
            archive.extractall(source)  # noqa: S202
    (tree,) = [p for p in source.iterdir() if p.is_dir()]
    for patch in PATCHES:
        subprocess.run(["patch", "-p1", "-i", str(patch)], cwd=tree, check=True,
                       stdout=subprocess.DEVNULL)
    jobs = str(os.cpu_count() or 2)
    quiet = {"stdout": subprocess.DEVNULL}
    subprocess.run(["./configure", f"PG_CONFIG={PG_CONFIG}"], cwd=tree, check=True, **quiet)
    # with_llvm=no: no JIT bitcode (the cluster runs without JIT; half the build time).
    subprocess.run(["make", "-j", jobs, "with_llvm=no"], cwd=tree, check=True, **quiet)
    root = target / "root"
    subprocess.run(["make", "install", "with_llvm=no", f"DESTDIR={root}"], cwd=tree,
                   check=True, **quiet)
    _private_tree(root)
    shutil.rmtree(source)
    done.write_text(_pg_config("--version") + "\n")
    _log("Citus built")
    return bin_dir()


def _private_tree(root: Path) -> None:
    """Complete the DESTDIR install into a PostgreSQL that runs from it: the binaries copied
    (PostgreSQL resolves its own path through symlinks), everything else linked."""
    system_bin = Path(_pg_config("--bindir"))
    private_bin = root / system_bin.relative_to("/")
    private_bin.mkdir(parents=True, exist_ok=True)
    for binary in system_bin.iterdir():
        if not (private_bin / binary.name).exists():
            shutil.copy2(binary, private_bin / binary.name)
    for option in ("--pkglibdir", "--sharedir"):
        _link_missing(Path(_pg_config(option)), root)


def _link_missing(system_dir: Path, root: Path) -> None:
    """Link every file of `system_dir` into the private tree where the build put none."""
    for path in system_dir.rglob("*"):
        if path.is_dir():
            continue
        private = root / path.relative_to("/")
        if private.exists() or private.is_symlink():
            continue
        private.parent.mkdir(parents=True, exist_ok=True)
        private.symlink_to(path)


# --- the cluster ---------------------------------------------------------------------------------


def _ports() -> list[int]:
    return [BASE_PORT + n for n in range(WORKERS + 1)]


def _psql(bindir: Path, port: int, sql: str, database: str = "postgres") -> str:
    return subprocess.run(
        [str(bindir / "psql"), "-X", "-q", "-A", "-t", "-h", "127.0.0.1", "-p", str(port),
         "-U", "postgres", "-d", database, "-c", sql],
        check=True, capture_output=True, text=True,
    ).stdout.strip()


def _as_postgres_user() -> dict:
    """PostgreSQL refuses to run as root: run its processes as the `postgres` user then."""
    if os.geteuid() != 0:
        return {}
    import pwd

    entry = pwd.getpwnam("postgres")
    # Its own HOME: libpq (Citus's node-to-node connections) reads ~/.postgresql/.
    return {"user": entry.pw_uid, "group": entry.pw_gid,
            "env": dict(os.environ, HOME=entry.pw_dir)}


# What the nodes run with for a benchmark: durable like the plain PostgreSQL they are
# compared with (postgresql.conf turns these off for the test suite).
DURABLE = ("-c fsync=on -c synchronous_commit=on -c full_page_writes=on")


def start(*, durable: bool = False) -> str:
    """Start (creating on first use) a coordinator and two workers; return the coordinator URL.

    `durable`: each node writes as a production server does (fsync, synchronous commit,
    full-page writes); a node already running is restarted so."""
    bindir = build()
    who = _as_postgres_user()
    cluster = cluster_dir()
    cluster.mkdir(parents=True, exist_ok=True)
    if who:
        os.chown(cluster, who["user"], who["group"])
    for index, port in enumerate(_ports()):
        data = cluster / ("coordinator" if index == 0 else f"worker{index}")
        if not (data / "PG_VERSION").exists():
            subprocess.run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A",
                            "trust", "-E", "UTF8", "--locale=C.UTF-8"],
                           check=True, stdout=subprocess.DEVNULL, **who)
            with open(data / "postgresql.conf", "a") as conf:
                conf.write(
                    "\n# moonflow.citusstack\n"
                    "shared_preload_libraries = 'citus'\n"
                    f"port = {port}\n"
                    "listen_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{data}'\n"
                    "max_connections = 300\n"
                    "fsync = off\n"
                    "synchronous_commit = off\n"
                    "full_page_writes = off\n"
                    "citus.max_adaptive_executor_pool_size = 4\n"
                    "citus.shard_count = 8\n"
                )
        running = subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "status"],
                                 stdout=subprocess.DEVNULL, **who).returncode == 0
        if running and durable:
            subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                           check=True, stdout=subprocess.DEVNULL, **who)
            running = False
        if not running:
            options = ["-o", DURABLE] if durable else []
            subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(data / "log"),
                            *options, "-w", "start"], check=True, stdout=subprocess.DEVNULL,
                           **who)
    coordinator, *workers = _ports()
    for database in DATABASES:
        _prepare(bindir, database, coordinator, workers)
    _log(f"coordinator on 127.0.0.1:{coordinator}, workers on "
         + ", ".join(f"127.0.0.1:{p}" for p in workers))
    return f"postgresql://postgres@127.0.0.1:{coordinator}/{DATABASES[0]}"


def _prepare(bindir: Path, database: str, coordinator: int, workers: list[int]) -> None:
    """A database with Citus on every node and the workers known to the coordinator
    (Citus's metadata is per database)."""
    for port in (coordinator, *workers):
        exists = _psql(bindir, port, f"SELECT 1 FROM pg_database WHERE datname = '{database}'")
        if exists != "1":
            _psql(bindir, port, f'CREATE DATABASE "{database}"')
        _psql(bindir, port, "CREATE EXTENSION IF NOT EXISTS citus", database)
    if _psql(bindir, coordinator, "SELECT count(*) FROM pg_dist_node", database) == "0":
        _psql(bindir, coordinator,
              f"SELECT citus_set_coordinator_host('127.0.0.1', {coordinator})", database)
        for port in workers:
            _psql(bindir, coordinator, f"SELECT citus_add_node('127.0.0.1', {port})", database)


def fresh_test_database() -> None:
    """The test database created anew on every node: a run never starts on the rows an
    interrupted one left (pytest keeps the database: --reuse-db)."""
    bindir = bin_dir()
    coordinator, *workers = _ports()
    for port in (coordinator, *workers):
        _psql(bindir, port, f'DROP DATABASE IF EXISTS "{DATABASES[1]}" WITH (FORCE)')
    _prepare(bindir, DATABASES[1], coordinator, workers)


def stop() -> None:
    # The system's pg_ctl: stopping only signals the server, and the cached build of the
    # current sources may not exist yet (a new patch changes its key).
    bindir = Path(_pg_config("--bindir"))
    who = _as_postgres_user()
    for data in sorted(cluster_dir().glob("*")):
        if (data / "PG_VERSION").exists():
            subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **who)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"build", "start", "stop", "test", "exec"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "build":
        print(build())
        return 0
    if command == "stop":
        stop()
        return 0
    url = start()
    if command == "start":
        print(url)
        return 0

    def _terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    from moonflow.localstack import Services

    os.environ["DATABASE_URL"] = url  # so that only Redis is started below
    services = Services("citus")
    env = dict(os.environ, MOONFLOW_CITUS="1")
    try:
        env.update(services.start())
        if command == "test":
            fresh_test_database()
            env["DJANGO_SETTINGS_MODULE"] = "moonflow.settings.test"
            env["DATABASE_TEST_NAME"] = DATABASES[1]
            args = [sys.executable, "-m", "pytest", "--reuse-db", *rest]
        else:
            args = rest
        return subprocess.run(args, cwd=ROOT, env=env).returncode
    except KeyboardInterrupt:
        return 0
    finally:
        services.stop()
        stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
