"""The console's forms over plain HTTPS with cookies, as a browser keeps a session: for what
the browser test (tests/console/console.mjs) does not drive."""

import http.client
import re
import secrets
import urllib.parse


def new_password():
    # Letters outside hex and the usernames, so the policy never finds a name in it.
    return "Kq" + secrets.token_hex(10) + "-Vz"


class ConsoleClient:
    """The console's forms over plain HTTPS with cookies, for what the browser test does not
    drive: a person's session as a browser keeps it."""

    def __init__(self, api):
        self.api, self.cookies, self.csrf = api, {}, ""

    def request(self, method, path, form=None, source=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({**form, "csrf": self.csrf})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPSConnection("localhost", self.api.hub.https_port,
                                           context=self.api.ctx, timeout=30,
                                           source_address=(source, 0) if source else None)
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        raw = resp.read().decode()
        conn.close()
        status, h = resp.status, {k.lower(): v for k, v in resp.getheaders()}
        for cookie in resp.msg.get_all("Set-Cookie") or []:  # one header per cookie
            name, value = cookie.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        if found := re.search(r'name="csrf" value="([0-9a-f]+)"', raw):
            self.csrf = found.group(1)
        return status, h, raw

    def sign_in(self, user):
        self.request("POST", "/console/login", {"username": user.username,
                                                "password": user.password})
        status, headers, _ = self.request("POST", "/console/mfa", {"code": user.next_code()})
        assert headers.get("location") == "/console/password", (status, headers)
        self.request("GET", "/console/password")
        replacement = new_password()
        status, headers, raw = self.request(
            "POST", "/console/password", {"current": user.password, "replacement": replacement})
        assert status == 303, raw
        user.password = replacement
