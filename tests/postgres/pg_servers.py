"""PostgreSQL 15 servers on loopback for tests and benchmarks: a primary, optionally with a standby that
streams its WAL and acknowledges each commit synchronously (synchronous_commit = on,
synchronous_standby_names naming it: a commit returns once the standby has flushed it). Run as
the unprivileged `postgres` user when this runs as root. Every server is stopped by its pid.

    from pg_servers import PgServer
    primary = PgServer(root, "primary").init().start()
    standby = primary.add_sync_standby("standby1")
    url = primary.url("postgres")
"""

import os
import shutil
import signal
import socket
import subprocess
import time

BIN = "/usr/lib/postgresql/15/bin"
AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
USER = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, root, name, port=None):
        self.dir = os.path.join(root, name)
        self.data = os.path.join(self.dir, "data")
        self.name = name
        self.port = port or free_port()
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o700)
        if AS_POSTGRES:
            shutil.chown(self.dir, "postgres")

    def run(self, *argv, check=True):
        return subprocess.run([*AS_POSTGRES, *argv], check=check, capture_output=True, text=True,
                              timeout=300)

    def init(self):
        self.run(f"{BIN}/initdb", "-D", self.data, "-U", USER, "--auth=trust", "-E", "UTF8",
                 "--no-instructions")
        self.configure(wal_level="replica", max_wal_senders=10, max_connections=300,
                       shared_buffers="'512MB'", hot_standby="on")
        with open(os.path.join(self.data, "pg_hba.conf"), "a") as f:
            f.write("host replication all 127.0.0.1/32 trust\n")
        return self

    def configure(self, **settings):
        with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as f:
            for key, value in settings.items():
                f.write(f"{key} = {value}\n")

    def start(self):
        self.run(f"{BIN}/pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"),
                 "-w", "-t", "120", "-o",
                 f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start")
        return self

    def pid(self):
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            return int(f.readline())

    def stop(self):
        try:
            pid = self.pid()
        except (FileNotFoundError, ValueError):
            return
        os.kill(pid, signal.SIGINT)  # "fast" shutdown
        for _ in range(300):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)

    def url(self, database="postgres"):
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql, database="postgres"):
        return subprocess.run(["psql", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                               self.url(database), "-c", sql],
                              check=True, capture_output=True, text=True, timeout=120).stdout

    def add_sync_standby(self, name):
        """A standby streaming from this server whose flush every commit waits for."""
        standby = PgServer(os.path.dirname(self.dir), name)
        self.run(f"{BIN}/pg_basebackup", "-D", standby.data, "-h", "127.0.0.1", "-p",
                 str(self.port), "-U", USER, "-X", "stream", "-R", "-c", "fast")
        standby.configure(primary_conninfo=f"'host=127.0.0.1 port={self.port} user={USER} "
                                           f"application_name={name}'")
        standby.start()
        self.configure(synchronous_standby_names=f"'{name}'", synchronous_commit="on")
        self.psql("SELECT pg_reload_conf()")
        for _ in range(300):  # until the standby streams and is the synchronous one
            if self.psql("SELECT sync_state FROM pg_stat_replication").strip() == "sync":
                return standby
            time.sleep(0.1)
        raise SystemExit(f"standby {name} did not become synchronous; see {standby.dir}")
