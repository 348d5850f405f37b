"""A client of Vigil's people-facing HTTPS API for the tests: real TLS (Python's ssl), real
TOTP codes from pyotp (a generator Vigil did not write), users enrolled with the real CLI."""

import http.client
import json
import secrets
import os
import re
import ssl
import time

import pyotp


class User:
    def __init__(self, username, password, secret, uri):
        self.username, self.password, self.secret, self.uri = username, password, secret, uri
        self.last_step = -1  # a code is never accepted twice: each login needs a newer step

    def next_code(self):
        """A code for a TOTP step newer than any used, within the hub's ±1 step window."""
        totp = pyotp.TOTP(self.secret)
        while True:
            now = time.time()
            now_step = int(now) // 30
            # The previous step's code only while it has 10 s or more to live: a code made in a
            # window's last seconds may reach a loaded hub after the window moved on.
            oldest = now_step - 1 if now % 30 < 20 else now_step
            step = max(self.last_step + 1, oldest)
            if step <= now_step + 1:
                self.last_step = step
                return totp.at(step * 30)
            time.sleep(1)


def add_user(hub, username, role, patient=None):
    args = ["user", "add", "--data-dir", hub.data_dir, "--username", username, "--role", role]
    if patient:
        args += ["--patient", patient]
    out = hub.run(*args).stdout
    password = re.search(r"initial password: (\S+)", out).group(1)
    secret = re.search(r"TOTP secret:\s+(\S+)", out).group(1)
    uri = re.search(r"TOTP URI:\s+(\S+)", out).group(1)
    return User(username, password, secret, uri)


class Api:
    def __init__(self, hub):
        self.hub = hub
        self.ctx = ssl.create_default_context(cafile=os.path.join(hub.data_dir, "ca", "ca.crt"))

    def request(self, method, path, body=None, token=None, headers=None, source=None):
        """(status, headers dict, body as JSON or text). `source`: a local address to bind."""
        conn = http.client.HTTPSConnection("localhost", self.hub.https_port, context=self.ctx,
                                           timeout=30,
                                           source_address=(source, 0) if source else None)
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = body if isinstance(body, str) else json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        raw = resp.read().decode()
        conn.close()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, parsed, raw

    def login(self, user, change_password=True, source=None):
        """Password + TOTP; changes the initial password when asked to. The session token.
        `source`: the local address to sign in from (the token is bound to it)."""
        status, _, body, _ = self.request("POST", "/auth/login",
                                          {"username": user.username, "password": user.password},
                                          source=source)
        assert status == 200, (status, body)
        status, _, session, _ = self.request("POST", "/auth/mfa",
                                             {"challenge": body["challenge"],
                                              "code": user.next_code()}, source=source)
        assert status == 200, (status, session)
        token = session["token"]
        if session["must_change_password"] and change_password:
            # Now and then a random password spells the hub's name or the username (look-alikes
            # counted: 1 for i...), which the policy refuses in a new one: another, then.
            new_password = user.password + "-Changed1"
            for _ in range(10):
                status, _, out, _ = self.request("POST", "/auth/password",
                                                 {"current": user.password, "new": new_password},
                                                 token=token, source=source)
                if status != 400 or "may not contain" not in str(out):
                    break
                new_password = "Kq" + secrets.token_hex(10) + "-Changed2"
            assert status == 204, (status, out)
            user.password = new_password
        return token

    def get(self, path, token, headers=None):
        status, _, body, raw = self.request("GET", path, token=token, headers=headers)
        return status, body, raw

    def wait_for_alerts(self, token, kind, entity, timeout=10):
        """The alerts of `kind` on `entity` the security officer's `token` sees, polled until
        there is one or `timeout` seconds pass: (alerts, the last raw answer)."""
        deadline = time.time() + timeout
        while True:
            status, body, raw = self.get("/security/alerts", token)
            assert status == 200, raw
            found = [a for a in body["alerts"] if a["kind"] == kind and a["entity"] == entity]
            if found or time.time() >= deadline:
                return found, raw
            time.sleep(0.2)


def deny_vital_signs_to(username):
    """A Consent provision (FHIR R4) keeping the patient's vital signs from one practitioner."""
    return {
        "type": "deny",
        "actor": [{"role": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
            "code": "IRCP"}]}, "reference": {"reference": f"Practitioner/{username}"}}],
        "class": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                   "code": "vital-signs"}]}
