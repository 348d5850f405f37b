"""A real Vigil hub for integration tests: a fresh data directory made with the real `vigil`
binary, `vigil serve` on free loopback ports, stopped by pid. Clients are real ones
(mosquitto_pub, paho-mqtt, Python's ssl/http.client)."""

import datetime
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import unittest

VIGIL = os.environ.get("VIGIL_BIN", os.path.join(os.path.dirname(__file__), "../../build/vigil"))
# Set by tests/postgres/with_postgres.sh: every hub then keeps its store in a database of its own
# on that server (`vigil init --store`), and tests of the SQLite files skip.
POSTGRES = os.environ.get("VIGIL_TEST_POSTGRES")


def on_postgres():
    return POSTGRES is not None


def sqlite_only(reason):
    """Skips a test of the embedded store's own files when the suite runs on PostgreSQL."""
    return unittest.skipIf(on_postgres(), "SQLite store only: " + reason)


def create_test_database():
    """A new empty database on the suite's PostgreSQL server; its URL."""
    name = "vigil_it_" + os.urandom(6).hex()
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", POSTGRES, "-c", f"CREATE DATABASE {name}"],
                   check=True, capture_output=True, timeout=60)
    return POSTGRES[:POSTGRES.rindex("/") + 1] + name


def clone_test_database(url):
    """A copy of the database at `url` (nobody may be connected to it); the copy's URL."""
    name = "vigil_it_" + os.urandom(6).hex()
    source = url[url.rindex("/") + 1:]
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", POSTGRES, "-c",
                    f"CREATE DATABASE {name} TEMPLATE {source}"],
                   check=True, capture_output=True, timeout=60)
    return POSTGRES[:POSTGRES.rindex("/") + 1] + name


def store_url_of(data_dir):
    """The [store] url of the hub in `data_dir` ("" for its embedded store)."""
    with open(os.path.join(data_dir, "config.toml")) as f:
        m = re.search(r'^url = "([^"]*)"', f.read(), flags=re.M)
    return m.group(1) if m else ""


def run_sql(data_dir, sqlite_statement, postgres_statement=None):
    """Changes the store of the hub in `data_dir` behind its back (as an attacker with the
    database would): `sqlite_statement` on vigil.db, or `postgres_statement` (the same by
    default) on its PostgreSQL database."""
    url = store_url_of(data_dir)
    if url:
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
                        postgres_statement or sqlite_statement],
                       check=True, capture_output=True, timeout=60)
    else:
        subprocess.run(["sqlite3", os.path.join(data_dir, "vigil.db"), sqlite_statement],
                       check=True, timeout=60)


def drop_test_database(url):
    name = url[url.rindex("/") + 1:]
    subprocess.run(["psql", "-q", POSTGRES, "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                   capture_output=True, timeout=60)


def now_rfc3339(offset_seconds=0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset_seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def vigil_json(seq, readings, ts=None):
    return json.dumps({"seq": seq, "ts": ts or now_rfc3339(), "readings": readings})


def heart_rate(seq, bpm=72):
    return vigil_json(seq, [{"type": "heart_rate", "value": bpm, "unit": "/min"}])


class Hub:
    def __init__(self, devices=(("dev-0001", "p-001"),), init_args=()):
        self.root = tempfile.mkdtemp(prefix="vigil-it-")
        self.data_dir = os.path.join(self.root, "hub")
        self.proc = None
        self.mqtt_port = None
        self.https_port = None
        self.log_path = os.path.join(self.root, "serve.log")
        self.store_url = None
        self.copies = []  # databases of backups made by backup()
        if on_postgres() and "--store" not in init_args and "--config-only" not in init_args:
            self.store_url = create_test_database()
            init_args = (*init_args, "--store", self.store_url)
        self.run("init", "--data-dir", self.data_dir, *init_args)
        patients = sorted({p for _, p in devices})
        for p in patients:
            self.run("patient", "add", "--data-dir", self.data_dir, "--id", p,
                     "--name", "Test Patient " + p, "--birth-date", "1961-04-02")
        for d, p in devices:
            self.enroll(d, p)

    def run(self, *args, check=True):
        result = subprocess.run([VIGIL, *args], capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"vigil {' '.join(args)} failed: {result.stderr}")
        return result

    def enroll(self, device_id, patient_id, device_type="pulse-oximeter"):
        self.run("device", "enroll", "--data-dir", self.data_dir, "--id", device_id,
                 "--patient", patient_id, "--type", device_type, "--out", self.device_dir(device_id))

    def device_dir(self, device_id):
        return os.path.join(self.root, device_id)

    def cert_args(self, device_id):
        d = self.device_dir(device_id)
        return ["--cafile", os.path.join(d, "ca.crt"), "--cert", os.path.join(d, device_id + ".crt"),
                "--key", os.path.join(d, device_id + ".key")]

    def configure(self, **settings):
        """Sets existing keys of config.toml (any section), e.g. session_idle_seconds=2."""
        path = os.path.join(self.data_dir, "config.toml")
        with open(path) as f:
            text = f.read()
        for key, value in settings.items():
            text, n = re.subn(rf"^{key} = .*$", f"{key} = {value}", text, flags=re.M)
            assert n == 1, f"no setting {key} in config.toml"
        with open(path, "w") as f:
            f.write(text)

    def start(self, mqtt_port=0):
        ready = os.path.join(self.root, "ready.json")
        if os.path.exists(ready):
            os.unlink(ready)
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(
                [VIGIL, "serve", "--data-dir", self.data_dir, "--mqtt-port", str(mqtt_port),
                 "--https-port", "0", "--ready-file", ready], stdout=log, stderr=log)
        deadline = time.time() + 20
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.time() > deadline:
                raise AssertionError("vigil serve did not start:\n" + self.log())
            time.sleep(0.05)
        with open(ready) as f:
            info = json.load(f)
        self.mqtt_port, self.https_port = info["mqtt_port"], info["https_port"]
        return self

    def stop(self):
        """SIGTERM and wait; returns the exit code."""
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        self.proc = None
        return code

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def observations(self, patient="p-001"):
        out = self.run("observations", "--data-dir", self.data_dir, "--patient", patient).stdout
        return [e["resource"] for e in json.loads(out).get("entry", [])]

    def mosquitto_pub(self, payload, device_id="dev-0001", version="mqttv5", topic=None,
                      client_id=None, extra=()):
        args = ["mosquitto_pub", "-V", version, "-h", "localhost", "-p", str(self.mqtt_port),
                *self.cert_args(device_id), "-i", client_id or device_id, "-q", "1",
                "-t", topic or f"devices/{device_id}/vitals", "-m", payload, "-d", *extra]
        return subprocess.run(args, capture_output=True, text=True, timeout=30)

    def post_readings(self, messages, device_id="dev-0001", check=True):
        """POSTs Vigil JSON messages as one x-ndjson batch to /ingest with the device's
        certificate; the decoded reply (which must be 200 unless `check` is False)."""
        d = self.device_dir(device_id)
        ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.crt"))
        ctx.load_cert_chain(os.path.join(d, device_id + ".crt"), os.path.join(d, device_id + ".key"))
        conn = http.client.HTTPSConnection("localhost", self.https_port, context=ctx, timeout=60)
        conn.request("POST", "/ingest", body="\n".join(messages) + "\n",
                     headers={"Content-Type": "application/x-ndjson"})
        response = conn.getresponse()
        body = json.loads(response.read().decode())
        conn.close()
        assert response.status == 200 or not check, body
        return body

    def close(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
        for url in [self.store_url, *self.copies]:
            if url:
                drop_test_database(url)
        shutil.rmtree(self.root, ignore_errors=True)

    def twin(self):
        """A second hub on this hub's store (PostgreSQL): a copy of its data directory (keys,
        CA, config) and of its devices' credentials, in a root of its own. Not started."""
        twin = Hub.__new__(Hub)
        twin.root = tempfile.mkdtemp(prefix="vigil-it-")
        twin.data_dir = os.path.join(twin.root, "hub")
        twin.proc = twin.mqtt_port = twin.https_port = None
        twin.log_path = os.path.join(twin.root, "serve.log")
        twin.store_url, twin.copies = None, []  # the store is this hub's to drop
        shutil.copytree(self.data_dir, twin.data_dir, symlinks=True)
        for name in os.listdir(self.root):
            if os.path.exists(os.path.join(self.root, name, name + ".crt")):
                shutil.copytree(os.path.join(self.root, name), os.path.join(twin.root, name))
        return twin

    def backup(self, dest):
        """Copies the stopped hub as a backup holds it: its directory and, on PostgreSQL, its
        database (the copy's config names a copy of the database)."""
        shutil.copytree(self.data_dir, dest, symlinks=True)
        if self.store_url:
            copy = clone_test_database(self.store_url)
            self.copies.append(copy)
            path = os.path.join(dest, "config.toml")
            with open(path) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(text.replace(f'url = "{self.store_url}"', f'url = "{copy}"'))
        return dest

    def use_copy_of_database(self, url):
        """Points the hub (stopped) at a new copy of the PostgreSQL database at `url`."""
        copy = clone_test_database(url)
        self.copies.append(copy)
        path = os.path.join(self.data_dir, "config.toml")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(re.sub(r'^url = "[^"]*"', f'url = "{copy}"', text, count=1, flags=re.M))
        return copy

    def restore(self, backup):
        """Puts a backup made by backup() in the hub's place: directory and database."""
        shutil.rmtree(self.data_dir)
        shutil.copytree(backup, self.data_dir, symlinks=True)
