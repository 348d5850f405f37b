"""Issue #6: SIEM export from a real hub. Alerts and audit events reach a syslog collector as
RFC 5424 messages - over UDP (one per datagram) and over TCP (octet-counting framing, RFC 6587),
reconnecting after the collector restarts - and a JSON lines file (0600). The collectors here
are plain sockets, parsing what arrives with a regular expression of RFC 5424's grammar."""

import json
import os
import re
import socket
import stat
import threading
import time
import unittest

from api_client import Api
from hub import Hub

# RFC 5424 section 6: HEADER SP STRUCTURED-DATA [SP MSG]
SYSLOG = re.compile(
    r'^<(?P<pri>\d{1,3})>1 (?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?P<host>\S{1,255}) '
    r'vigil (?P<procid>\d+) (?P<msgid>\S{1,32}) '
    r'(?P<sd>\[vigil@32473(?: [^=\s\]"]{1,32}="(?:[^"\\\]]|\\["\\\]])*")*\]) (?P<msg>\{.*\})$')


def parse(message):
    m = SYSLOG.match(message)
    assert m, f"not RFC 5424: {message!r}"
    body = json.loads(m.group("msg"))
    assert body["type"] == m.group("msgid")
    return int(m.group("pri")), m.group("msgid"), body


def fail_logins(hub, username, times=5):
    api = Api(hub)
    for _ in range(times):
        api.request("POST", "/auth/login", {"username": username, "password": "wrong"})


def wait_for(predicate, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


class TcpCollector:
    """Accepts connections and splits octet-counted frames into messages."""

    def __init__(self, port=0):
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", port))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        self.messages = []
        self.conn = None
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        self.conn = conn
        buffer = b""
        while True:
            try:
                data = conn.recv(65536)
            except OSError:
                break
            if not data:
                break
            buffer += data
            while b" " in buffer:
                length, rest = buffer.split(b" ", 1)
                if len(rest) < int(length):
                    break
                self.messages.append(rest[:int(length)].decode())
                buffer = rest[int(length):]
        conn.close()

    def close(self):
        """Stops listening and drops the hub's connection (a collector going away)."""
        self.server.close()
        if self.conn:
            try:
                self.conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the other side


class SiemTest(unittest.TestCase):
    def test_udp_syslog_and_json_lines(self):
        collector = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        collector.bind(("127.0.0.1", 0))
        collector.settimeout(0.2)
        hub = Hub()
        try:
            hub.configure(syslog=f'"udp://127.0.0.1:{collector.getsockname()[1]}"',
                          jsonl_path='"siem.jsonl"')
            hub.start()
            fail_logins(hub, "nobody")
            received = []

            def got_alert():
                try:
                    received.append(collector.recv(65536).decode())
                except socket.timeout:
                    pass
                return any(" alert " in m for m in received)

            self.assertTrue(wait_for(got_alert), received)
            parsed = [parse(m) for m in received]
            alert = [p for p in parsed if p[1] == "alert"][0]
            self.assertEqual(alert[0], 14 * 8 + 3)  # log alert, error (a high alert)
            self.assertEqual(alert[2]["kind"], "brute-force")
            self.assertEqual(alert[2]["technique"], "T1110.001")
            logins = [p for p in parsed if p[1] == "login"]
            self.assertEqual(logins[0][0], 13 * 8 + 5)  # log audit, notice (a failure)
            self.assertIn("hub_started", [p[1] for p in parsed])
            self.assertIn('kind="brute-force"', [m for m in received if " alert " in m][0])
        finally:
            self.assertEqual(hub.stop(), 0)
            collector.close()
        path = os.path.join(hub.data_dir, "siem.jsonl")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path) as f:
            lines = [json.loads(line) for line in f]
        types = [line["type"] for line in lines]
        self.assertIn("alert", types)
        self.assertEqual(types.count("login"), 5)
        self.assertTrue(all(line["source"] == "vigil" for line in lines))
        hub.close()

    def test_tcp_syslog_reconnects_after_the_collector_restarts(self):
        collector = TcpCollector()
        hub = Hub()
        try:
            hub.configure(syslog=f'"tcp://127.0.0.1:{collector.port}"')
            hub.start()
            fail_logins(hub, "first")
            self.assertTrue(wait_for(lambda: any(" alert " in m for m in collector.messages)),
                            hub.log())
            parsed = [parse(m) for m in collector.messages]
            self.assertEqual([p[1] for p in parsed].count("login"), 5)
            alert = [p for p in parsed if p[1] == "alert"][0][2]
            self.assertEqual(alert["kind"], "brute-force")
            self.assertTrue(alert["entity"].startswith("user:sha256:"))  # an unknown name
            port = collector.port
            collector.close()
            time.sleep(0.3)
            collector = TcpCollector(port)  # the collector comes back
            deadline = time.time() + 20
            while not collector.messages and time.time() < deadline:
                fail_logins(hub, "first", times=1)  # one more audit entry each time
                time.sleep(0.3)
            self.assertTrue(collector.messages, hub.log())
            self.assertEqual(parse(collector.messages[-1])[1], "login")
        finally:
            self.assertEqual(hub.stop(), 0)
            collector.close()
            hub.close()

    def test_a_bad_collector_address_is_refused_at_start(self):
        hub = Hub()
        try:
            hub.configure(syslog='"smtp://127.0.0.1:25"')
            with self.assertRaises(AssertionError):
                hub.start()
            self.assertIn("udp://host:port or tcp://host:port", hub.log())
        finally:
            hub.close()


if __name__ == "__main__":
    unittest.main()
