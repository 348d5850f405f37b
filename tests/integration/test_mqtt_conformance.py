"""MQTT packets the specification calls malformed or a protocol error (issue #24), sent over a
real TLS connection: each is answered with the reason code the specification names and the
connection is closed before anything is acknowledged or stored."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hub import Hub, heart_rate  # noqa: E402
from test_faults import remaining_length  # noqa: E402
from test_mqtt_refusals import connect_packet, read_packet, read_until_closed, tls_socket  # noqa: E402

TOPIC = "devices/dev-0001/vitals"


def utf8(text):
    data = text.encode()
    return len(data).to_bytes(2, "big") + data


def props(block):
    return remaining_length(len(block)) + block


def packet(first_byte, body):
    return bytes([first_byte]) + remaining_length(len(body)) + body


def connect_v5(properties=b"", will_properties=None, client_id="dev-0001", level=5):
    flags = 0x02 | (0x04 if will_properties is not None else 0)
    body = utf8("MQTT") + bytes([level, flags, 0x00, 0x3C]) + props(properties) + utf8(client_id)
    if will_properties is not None:
        body += props(will_properties) + utf8("devices/dev-0001/will") + utf8("gone")
    return packet(0x10, body)


def publish_v5(properties, seq=1, packet_id=1, payload=None):
    body = utf8(TOPIC) + packet_id.to_bytes(2, "big") + props(properties)
    return packet(0x32, body + (payload or heart_rate(seq).encode()))


def subscribe_v5(properties, options=0x01):
    body = b"\x00\x01" + props(properties) + utf8("devices/dev-0001/cmd") + bytes([options])
    return packet(0x82, body)


class MqttConformanceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = Hub()
        cls.hub.configure(enabled="false")  # detection off: every case starts from a clean slate
        cls.hub.start()

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def connected(self, max_packet=None):
        sock = tls_socket(self.hub)
        properties = b"" if max_packet is None else b"\x27" + max_packet.to_bytes(4, "big")
        sock.sendall(connect_v5(properties))
        connack = read_packet(sock)
        self.assertEqual((connack[0], connack[2]), (0x20, 0x00), connack)
        return sock

    def assertClosedWith(self, sock, first_byte, reason_code, what):
        answer = read_packet(sock)
        self.assertEqual(answer[0], first_byte, f"{what}: {answer!r}")
        code_at = 2 if first_byte == 0x20 else 1  # CONNACK: flags, code; DISCONNECT: code
        self.assertEqual(answer[code_at], reason_code, f"{what}: {answer!r}")
        self.assertEqual(read_until_closed(sock, limit=5.0), b"", what)
        sock.close()

    def test_publish_with_properties_not_allowed_in_publish_is_closed_and_not_stored(self):
        cases = [
            ("subscription identifier", b"\x0B\x01", 0x81),
            ("session expiry (CONNECT only)", b"\x11\x00\x00\x00\x05", 0x81),
            ("maximum QoS (CONNACK only)", b"\x24\x01", 0x81),
            ("reason string (acks only)", b"\x1F" + utf8("x"), 0x81),
            ("will delay (will only)", b"\x18\x00\x00\x00\x01", 0x81),
            ("payload format indicator 2", b"\x01\x02", 0x82),
            ("payload format indicator twice", b"\x01\x01\x01\x01", 0x82),
            ("response topic with a wildcard", b"\x08" + utf8("r/#"), 0x82),
        ]
        for seq, (what, properties, code) in enumerate(cases, start=1):
            sock = self.connected()
            sock.sendall(publish_v5(properties, seq=seq))
            self.assertClosedWith(sock, 0xE0, code, what)
        self.assertEqual(self.hub.observations(), [])

    def test_connect_and_will_with_properties_not_allowed_there_get_a_refusing_connack(self):
        cases = [
            ("maximum QoS in CONNECT", connect_v5(b"\x24\x01"), 0x81),
            ("topic alias in CONNECT", connect_v5(b"\x23\x00\x01"), 0x81),
            ("payload format in CONNECT", connect_v5(b"\x01\x01"), 0x81),
            ("request problem information 2", connect_v5(b"\x17\x02"), 0x82),
            ("request response information 2", connect_v5(b"\x19\x02"), 0x82),
            ("authentication data without a method", connect_v5(b"\x16" + utf8("x")), 0x82),
            ("receive maximum 0", connect_v5(b"\x21\x00\x00"), 0x82),
            ("session expiry in the will", connect_v5(b"", b"\x11\x00\x00\x00\x01"), 0x81),
            ("receive maximum in the will", connect_v5(b"", b"\x21\x00\x05"), 0x81),
            ("payload format 2 in the will", connect_v5(b"", b"\x01\x02"), 0x82),
        ]
        for what, connect, code in cases:
            sock = tls_socket(self.hub)
            sock.sendall(connect)
            self.assertClosedWith(sock, 0x20, code, what)

    def test_invalid_subscribe_closes_the_connection(self):
        cases = [
            ("subscription identifier 0", subscribe_v5(b"\x0B\x00"), 0x82),
            ("subscription identifier twice", subscribe_v5(b"\x0B\x01\x0B\x02"), 0x82),
            ("payload format in SUBSCRIBE", subscribe_v5(b"\x01\x01"), 0x81),
            ("retain handling 3", subscribe_v5(b"", options=0x31), 0x82),
            ("reserved option bits", subscribe_v5(b"", options=0xC1), 0x81),
        ]
        for what, subscribe, code in cases:
            sock = self.connected()
            sock.sendall(subscribe)
            self.assertClosedWith(sock, 0xE0, code, what)

    def test_protocol_level_3_gets_connack_0x01(self):
        for what, connect in (("MQTT level 3", connect_v5(level=3)),
                              ("MQIsdp level 3", packet(0x10, utf8("MQIsdp") + bytes(
                                  [3, 0x02, 0x00, 0x3C]) + utf8("dev-0001")))):
            sock = tls_socket(self.hub)
            sock.sendall(connect)
            self.assertEqual(read_packet(sock), b"\x20\x00\x01", what)  # 3.1.1 CONNACK, 0x01
            self.assertEqual(read_until_closed(sock), b"", what)
            sock.close()

    def test_answers_fit_the_clients_maximum_packet_size(self):
        sock = tls_socket(self.hub)
        sock.sendall(connect_v5(b"\x27\x00\x00\x00\x10"))  # 16 bytes at most
        connack = read_packet(sock)
        self.assertEqual((connack[0], connack[2]), (0x20, 0x00))
        self.assertLessEqual(len(connack) + 1, 16)
        sock.sendall(publish_v5(b"", payload=b"not json"))
        puback = read_packet(sock)  # refused (0x99) without its reason string
        self.assertEqual(puback[0], 0x40)
        self.assertEqual(puback[3], 0x99)
        self.assertLessEqual(len(puback) + 1, 16)
        sock.close()

    def test_a_session_taken_over_is_told_0x8e_not_0x87(self):
        first = self.connected()
        second = self.connected()
        self.assertClosedWith(first, 0xE0, 0x8E, "takeover")
        second.close()


if __name__ == "__main__":
    unittest.main()
