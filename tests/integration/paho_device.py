"""A device as real firmware connects: paho over mutual TLS with the device's certificate, from a
chosen loopback address (127/8 is all loopback), for the tests and bench/benign_realism.py."""

import os
import threading
from contextlib import contextmanager

import paho.mqtt.client as paho


@contextmanager
def device_session(hub, device_id, bind="127.0.0.1"):
    """Yields a paho client connected as `device_id` from `bind`; disconnects on leaving.
    Raises AssertionError if the hub did not accept the connection within 10 s."""
    d = hub.device_dir(device_id)
    client = paho.Client(client_id=device_id, protocol=paho.MQTTv311)
    client.tls_set(ca_certs=os.path.join(d, "ca.crt"),
                   certfile=os.path.join(d, device_id + ".crt"),
                   keyfile=os.path.join(d, device_id + ".key"))
    connected = threading.Event()
    client.on_connect = lambda c, u, f, rc: connected.set() if rc == 0 else None
    client.connect("localhost", hub.mqtt_port, 30, bind_address=bind)
    client.loop_start()
    try:
        assert connected.wait(10), f"{device_id} could not connect from {bind}"
        yield client
    finally:
        client.disconnect()
        client.loop_stop()


def publish_reading(client, device_id, payload, timeout=10):
    """Publishes `payload` on the device's own topic with QoS 1; whether it was acknowledged."""
    info = client.publish(f"devices/{device_id}/vitals", payload, qos=1)
    info.wait_for_publish(timeout)
    return info.is_published()
