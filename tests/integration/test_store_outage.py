"""A hub whose PostgreSQL store goes away (issue #23): while the database is down the hub
acknowledges nothing, says /readyz 503 with the reason, and once the database is back it says
ready again by itself — with no device traffic to prompt it — and takes the re-sent readings,
each stored once. The test runs its own PostgreSQL server (tests/postgres/pg_servers.py) so
that it can stop and start it."""

import os
import shutil
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "postgres"))
from hub import Hub, heart_rate, on_postgres  # noqa: E402
from pg_servers import PgServer  # noqa: E402
from test_ledger_export import get  # noqa: E402


@unittest.skipIf(on_postgres(), "starts its own PostgreSQL: run once, in the SQLite pass")
class StoreOutageTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="vigil-pg-outage-")
        os.chmod(self.root, 0o755)
        self.pg = PgServer(self.root, "pg").init().start()
        self.pg.psql("CREATE DATABASE vigil")
        self.hub = Hub(init_args=("--store", self.pg.url("vigil")))

    def tearDown(self):
        self.hub.close()
        self.pg.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def wait_ready(self, status, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline:
            code, text = get(self.hub, "/readyz")
            if code == status:
                return text
            time.sleep(0.2)
        self.fail(f"/readyz did not answer {status} within {seconds} s")

    def test_the_hub_holds_acknowledgements_while_the_database_is_down_and_resumes_alone(self):
        self.hub.start()
        self.assertIn("RC:0", self.hub.mosquitto_pub(heart_rate(1)).stdout)
        self.pg.stop()
        held = self.hub.mosquitto_pub(heart_rate(2))
        self.assertNotIn("RC:0", held.stdout, "a reading was acknowledged with no database")
        text = self.wait_ready(503)
        self.assertIn("readings cannot be stored", text)
        self.assertNotIn("postgres@", text.split("***")[0] if "***" in text else "", text)
        self.pg.start()
        self.wait_ready(200)  # nobody sent anything: the hub found the store writable itself
        self.assertIn("RC:0", self.hub.mosquitto_pub(heart_rate(2)).stdout)
        self.assertIn("RC:0", self.hub.mosquitto_pub(heart_rate(2)).stdout)  # lost ack: re-sent
        self.assertEqual(len(self.hub.observations()), 2)
        self.assertEqual(self.hub.stop(), 0)
        v = self.hub.run("verify", "--data-dir", self.hub.data_dir, check=False)
        self.assertEqual(v.returncode, 0, v.stderr)


if __name__ == "__main__":
    unittest.main()
