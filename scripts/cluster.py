#!/usr/bin/python3
"""`make cluster`: Vigil beyond one machine, on one machine (issue #23, docs/cluster.md).

    etcd x3 (the DCS)  ->  Patroni x3 managing PostgreSQL 15 (synchronous_mode_strict: a commit
    returns once a synchronous standby has flushed it)  ->  HAProxy (:pg to the primary, by
    Patroni's /primary check)  <-  vigil serve x2 (one store, shared keys)  <-  HAProxy (:mqtt
    and :https to the hubs that answer /readyz)  <-  vigil sim

Everything binds 127.0.0.1 on free ports, lives under one temporary directory, and is stopped
by pid when this ends (Ctrl-C, or after --seconds). PostgreSQL and Patroni run as the
unprivileged `postgres` user when this runs as root.

    /usr/bin/python3 scripts/cluster.py [--seconds N] [--devices 16]

bench/cluster_faults.py drives the same topology (class Cluster) through node failures.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "postgres"))
from pg_servers import AS_POSTGRES, BIN as PG_BIN, USER as PG_USER, free_port  # noqa: E402

VIGIL = os.environ.get("VIGIL_BIN", os.path.join(ROOT, "build", "vigil"))


def wait_for(what, check, seconds=90):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - anything means "not yet"
            pass
        time.sleep(0.25)
    raise SystemExit(f"cluster: {what} did not come up within {seconds} s")


def place(processes, i, process):
    """Puts `process` at `i` of `processes` (replacing one that was stopped); returns it."""
    if i < len(processes):
        processes[i] = process
    else:
        processes.append(process)
    return process


class Process:
    """A child process with its log, stopped by pid (SIGTERM, then SIGKILL)."""

    def __init__(self, name, argv, log_dir, user_postgres=False):
        self.name = name
        self.argv = argv
        self.log_path = os.path.join(log_dir, name + ".log")
        self.user_postgres = user_postgres
        self.proc = None

    def start(self):
        log = open(self.log_path, "a")
        prefix = AS_POSTGRES if self.user_postgres else []
        self.proc = subprocess.Popen([*prefix, *self.argv], stdout=log, stderr=log,
                                     start_new_session=True)
        log.close()
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        """kill -9 the whole process group (Patroni and the postgres it started)."""
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self, timeout=30):
        if not self.alive():
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


class Cluster:
    def __init__(self, hubs=2, root=None):
        self.root = root or tempfile.mkdtemp(prefix="vigil-cluster-")
        os.chmod(self.root, 0o755)
        self.etcd, self.patroni, self.hubs, self.haproxy = [], [], [], None
        self.hub_count = hubs
        self.etcd_ports = [(free_port(), free_port()) for _ in range(3)]
        self.pg_ports = [(free_port(), free_port()) for _ in range(3)]  # (postgres, REST API)
        self.front = {"pg": free_port(), "mqtt": free_port(), "https": free_port(),
                      "stats": free_port()}
        self.hub_ports = [(free_port(), free_port()) for _ in range(hubs)]  # (mqtt, https)

    # --- etcd ------------------------------------------------------------------------------
    def start_etcd(self):
        initial = ",".join(f"e{i}=http://127.0.0.1:{peer}"
                           for i, (_, peer) in enumerate(self.etcd_ports))
        for i, (client, peer) in enumerate(self.etcd_ports):
            data = os.path.join(self.root, f"etcd{i}")
            self.etcd.append(Process(f"etcd{i}", [
                "/usr/bin/etcd", "--name", f"e{i}", "--data-dir", data,
                "--listen-client-urls", f"http://127.0.0.1:{client}",
                "--advertise-client-urls", f"http://127.0.0.1:{client}",
                "--listen-peer-urls", f"http://127.0.0.1:{peer}",
                "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
                "--initial-cluster", initial, "--initial-cluster-state", "new",
                "--initial-cluster-token", "vigil-cluster", "--enable-v2=true"],
                self.root).start())
        wait_for("etcd", lambda: all(
            json.load(urllib.request.urlopen(f"http://127.0.0.1:{c}/health", timeout=1))
            ["health"] == "true" for c, _ in self.etcd_ports))

    def etcd_leader(self):
        """The index of etcd's current leader."""
        for i, (client, _) in enumerate(self.etcd_ports):
            if not self.etcd[i].alive():
                continue
            try:
                stats = json.load(urllib.request.urlopen(
                    f"http://127.0.0.1:{client}/v2/stats/self", timeout=1))
                if stats.get("state") == "StateLeader":
                    return i
            except OSError:
                continue
        return None

    # --- Patroni + PostgreSQL ----------------------------------------------------------------
    def patroni_config(self, i):
        pg, rest = self.pg_ports[i]
        node = os.path.join(self.root, f"pg{i}")
        os.makedirs(node, exist_ok=True)
        os.chmod(node, 0o700)
        if AS_POSTGRES:
            shutil.chown(node, "postgres")
        hosts = ",".join(f"127.0.0.1:{c}" for c, _ in self.etcd_ports)
        path = os.path.join(self.root, f"patroni{i}.yml")
        with open(path, "w") as f:
            f.write(f"""scope: vigil
name: pg{i}
log:
  level: WARNING
restapi:
  listen: 127.0.0.1:{rest}
  connect_address: 127.0.0.1:{rest}
etcd3:
  hosts: {hosts}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    synchronous_mode_strict: true
    postgresql:
      use_pg_rewind: true
      parameters:
        max_connections: 300
        wal_level: replica
        hot_standby: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        wal_log_hints: "on"
        synchronous_commit: "on"
  initdb:
    - encoding: UTF8
  pg_hba:
    - local all all trust
    - host replication all 127.0.0.1/32 trust
    - host all all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:{pg}
  connect_address: 127.0.0.1:{pg}
  data_dir: {node}/data
  bin_dir: {PG_BIN}
  pgpass: {node}/pgpass
  authentication:
    replication:
      username: {PG_USER}
    superuser:
      username: {PG_USER}
  parameters:
    unix_socket_directories: {node}
""")
        os.chmod(path, 0o644)
        return path

    def start_patroni(self, i):
        config = self.patroni_config(i)
        return place(self.patroni, i, Process(f"patroni{i}", ["/usr/bin/patroni", config],
                                              self.root, user_postgres=True)).start()

    def postmaster_pid(self, i):
        """The pid of node i's PostgreSQL, if it runs (Patroni starts it in a session of its
        own, so that PostgreSQL outlives a Patroni crash: killing Patroni's group misses it)."""
        try:
            with open(os.path.join(self.root, f"pg{i}", "data", "postmaster.pid")) as f:
                pid = int(f.readline())
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError):
            return None

    def kill_node(self, i):
        """kill -9 of node i as a lost machine: Patroni and its PostgreSQL together."""
        pid = self.postmaster_pid(i)
        self.patroni[i].kill9()
        if pid:
            try:
                os.killpg(os.getpgid(pid), signal.SIGKILL)  # the postmaster and its backends
            except ProcessLookupError:
                pass

    def stop_node(self, i):
        """Patroni stops, then its PostgreSQL (fast shutdown; killed if it lingers)."""
        pid = self.postmaster_pid(i)
        self.patroni[i].stop()
        if not pid:
            return
        try:
            os.kill(pid, signal.SIGINT)
            for _ in range(100):
                os.kill(pid, 0)
                time.sleep(0.1)
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass

    def node_role(self, i):
        _, rest = self.pg_ports[i]
        return json.load(urllib.request.urlopen(f"http://127.0.0.1:{rest}/patroni",
                                                timeout=1)).get("role")

    def primary(self):
        for i in range(3):
            try:
                if self.patroni[i].alive() and self.node_role(i) in ("master", "primary"):
                    return i
            except OSError:
                continue
        return None

    def sync_standby_ready(self):
        i = self.primary()
        if i is None:
            return False
        _, rest = self.pg_ports[i]
        cluster = json.load(urllib.request.urlopen(f"http://127.0.0.1:{rest}/cluster", timeout=1))
        return any(m.get("role") == "sync_standby" and m.get("state") in ("running", "streaming")
                   for m in cluster["members"])

    # --- HAProxy -----------------------------------------------------------------------------
    def start_haproxy(self):
        pg_servers = "\n".join(
            f"  server pg{i} 127.0.0.1:{pg} check port {rest}"
            for i, (pg, rest) in enumerate(self.pg_ports))
        mqtt_servers = "\n".join(
            f"  server hub{i} 127.0.0.1:{m} check port {h} check-ssl verify none"
            for i, (m, h) in enumerate(self.hub_ports))
        https_servers = "\n".join(
            f"  server hub{i} 127.0.0.1:{h} check check-ssl verify none"
            for i, (_, h) in enumerate(self.hub_ports))
        path = os.path.join(self.root, "haproxy.cfg")
        with open(path, "w") as f:
            f.write(f"""global
  maxconn 4000
defaults
  mode tcp
  timeout connect 2s
  timeout client 30m
  timeout server 30m
  timeout check 2s
listen stats
  mode http
  bind 127.0.0.1:{self.front['stats']}
  stats enable
  stats uri /
frontend pg
  bind 127.0.0.1:{self.front['pg']}
  default_backend pg_primary
backend pg_primary
  option httpchk GET /primary
  http-check expect status 200
  default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
{pg_servers}
frontend mqtt
  bind 127.0.0.1:{self.front['mqtt']}
  default_backend hubs_mqtt
backend hubs_mqtt
  balance leastconn
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
{mqtt_servers}
frontend https
  bind 127.0.0.1:{self.front['https']}
  default_backend hubs_https
backend hubs_https
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 1s fall 2 rise 1
{https_servers}
""")
        self.haproxy = Process("haproxy", ["/usr/sbin/haproxy", "-f", path, "-db"],
                               self.root).start()

    # --- hubs --------------------------------------------------------------------------------
    def store_url(self):
        return f"postgresql://{PG_USER}@127.0.0.1:{self.front['pg']}/vigil"

    def hub_dir(self, i):
        return os.path.join(self.root, f"hub{i}")

    def init_hubs(self):
        subprocess.run(["psql", "-q", f"postgresql://{PG_USER}@127.0.0.1:{self.front['pg']}/postgres",
                        "-c", "CREATE DATABASE vigil"], check=True, capture_output=True)
        subprocess.run([VIGIL, "init", "--data-dir", self.hub_dir(0), "--store", self.store_url(),
                        "--hostname", "localhost", "--hostname", "127.0.0.1"],
                       check=True, capture_output=True)
        for i in range(1, self.hub_count):  # the same keys, CA and store
            shutil.copytree(self.hub_dir(0), self.hub_dir(i))

    def start_hub(self, i):
        mqtt, https = self.hub_ports[i]
        process = place(self.hubs, i, Process(
            f"hub{i}", [VIGIL, "--log-level", "info", "serve", "--data-dir", self.hub_dir(i),
                        "--mqtt-port", str(mqtt), "--https-port", str(https)], self.root))
        process.start()
        wait_for(f"hub{i}", lambda: socket.create_connection(("127.0.0.1", mqtt), 1).close()
                 or True, 60)
        return process

    # --- the whole ---------------------------------------------------------------------------
    def up(self):
        self.start_etcd()
        for i in range(3):
            self.start_patroni(i)
        wait_for("a PostgreSQL primary under Patroni", lambda: self.primary() is not None, 120)
        self.start_haproxy()
        wait_for("a synchronous standby", self.sync_standby_ready, 120)
        wait_for("HAProxy to the primary", lambda: subprocess.run(
            ["psql", "-q", f"postgresql://{PG_USER}@127.0.0.1:{self.front['pg']}/postgres",
             "-c", "SELECT 1"], capture_output=True, timeout=5).returncode == 0, 60)
        self.init_hubs()
        for i in range(self.hub_count):
            self.start_hub(i)
        return self

    def down(self):
        for p in [*self.hubs, self.haproxy]:
            if p:
                p.stop()
        for i in range(len(self.patroni)):
            self.stop_node(i)
        for p in self.etcd:
            p.stop()

    def where(self):
        return (f"cluster under {self.root}\n"
                f"  MQTT (devices)   127.0.0.1:{self.front['mqtt']}  (HAProxy -> "
                f"{', '.join(str(m) for m, _ in self.hub_ports)})\n"
                f"  HTTPS (API)      https://127.0.0.1:{self.front['https']}/readyz\n"
                f"  PostgreSQL       {self.store_url()}  (HAProxy -> the Patroni primary)\n"
                f"  HAProxy stats    http://127.0.0.1:{self.front['stats']}/\n"
                f"  Patroni          http://127.0.0.1:{self.pg_ports[0][1]}/cluster\n"
                f"  logs             {self.root}/*.log\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=0, help="0: until Ctrl-C")
    parser.add_argument("--devices", type=int, default=16)
    args = parser.parse_args()
    cluster = Cluster()
    sim = None
    try:
        cluster.up()
        print(cluster.where(), flush=True)
        sim = subprocess.Popen([VIGIL, "sim", "--data-dir", cluster.hub_dir(0), "--devices",
                                str(args.devices), "--port", str(cluster.front["mqtt"]),
                                "--duration", str(args.seconds or 86400), "--host", "localhost"],
                               start_new_session=True)
        started = time.time()
        while sim.poll() is None and (not args.seconds or time.time() - started < args.seconds):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        if sim and sim.poll() is None:
            os.killpg(sim.pid, signal.SIGTERM)
            sim.wait()
        cluster.down()
        print(f"cluster stopped; logs kept in {cluster.root}")


if __name__ == "__main__":
    sys.exit(main())
