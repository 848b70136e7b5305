#!/usr/bin/env python3
"""Cross-checks cookiesession against the Python libraries asgi-sessions is built on.

asgi-sessions reads and writes its cookies with three calls, reproduced here:
  base64: base64.urlsafe_b64encode(json) / urlsafe_b64decode + json.loads
  jwt:    jwt.encode(values, secret, algorithm="HS256") / jwt.decode(token, secret, algorithms=["HS256"])
  fernet: Fernet(urlsafe_b64encode(secret padded with "=" to 32 bytes)).encrypt / .decrypt
with PyJWT and cryptography, the libraries asgi-sessions depends on.

Both directions are checked, for every session type:
  1. examples/hello sets a cookie (GET /?<name>); Python reads it back.
  2. Python makes a cookie; examples/hello greets its user, and the CLI's
     decode prints its values exactly (large integers, non-ASCII text).
  3. Python-made cookies with the wrong key, tampered or with alg "none"
     get "Hello Anonymous".
Run from the project root: python3 interop/python_check.py (needs the Go
toolchain, PyJWT and cryptography). Loopback only; every request is bounded.
"""
import base64
import json
import os
import random
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import jwt
from cryptography.fernet import Fernet


def fernet_for(secret):
    padded = secret.ljust(32, "=")
    return Fernet(base64.urlsafe_b64encode(padded.encode()))


def py_encode(kind, secret, values):
    payload = json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode()
    if kind == "base64":
        return base64.urlsafe_b64encode(payload).decode()
    if kind == "jwt":
        return jwt.encode(values, key=secret, algorithm="HS256")
    return fernet_for(secret).encrypt(payload).decode()


def py_decode(kind, secret, token):
    if kind == "base64":
        return json.loads(base64.urlsafe_b64decode(token))
    if kind == "jwt":
        return jwt.decode(token, key=secret, algorithms=["HS256"])
    return json.loads(fernet_for(secret).decrypt(token.encode()))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def get(port, path, cookie=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path))
    if cookie is not None:
        req.add_header("Cookie", "session=" + cookie)
    try:
        resp = OPENER.open(req, timeout=10)
    except urllib.error.HTTPError as e:  # the 307 of /?name
        resp = e
    return resp.status, resp.read().decode(), resp.headers.get_all("Set-Cookie") or []


def random_values(rng):
    name = "".join(rng.choice(string.ascii_lowercase) for _ in range(6)) + " ü😀"
    return {
        "user": name,
        "big": 2**53 + rng.randrange(1, 10**6),
        "neg": -(2**62) - rng.randrange(10**6),
        "float": rng.choice([0.1, 1.5e-07, 123456.789]),
        "nested": {"list": [True, False, None, "x"], "obj": {"k": "<&>\"'"}},
        "empty": "",
    }


def main():
    root = os.getcwd()
    rng = random.Random(int(time.time()))
    tmp = tempfile.mkdtemp()
    hello = os.path.join(tmp, "hello")
    cli = os.path.join(tmp, "cookiesession")
    subprocess.run(["go", "build", "-o", hello, "./examples/hello"], check=True, cwd=root)
    subprocess.run(["go", "build", "-o", cli, "./cmd/cookiesession"], check=True, cwd=root)
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL:", what)

    for kind in ("base64", "jwt", "fernet"):
        secret = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randrange(8, 33)))
        port = free_port()
        proc = subprocess.Popen([hello, "-addr", "127.0.0.1:%d" % port, "-type", kind, "-secret", secret],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    get(port, "/")
                    break
                except OSError:
                    time.sleep(0.05)
            # 1. Go writes, Python reads.
            status, body, cookies = get(port, "/?jack-o'neil")
            token = cookies[0].split(";")[0].split("=", 1)[1] if cookies else ""
            try:
                values = py_decode(kind, secret, token)
            except Exception as e:  # noqa: BLE001 - report any refusal
                values = {"error": repr(e)}
            check(status == 307 and values.get("user") == "jack-o'neil",
                  "%s: Python read %r from Go cookie %r" % (kind, values, token))
            # 2. Python writes, Go reads (server and CLI).
            for _ in range(5):
                want = random_values(rng)
                token = py_encode(kind, secret, want)
                status, body, cookies = get(port, "/", token)
                check(status == 200 and body == "Hello " + want["user"].title() and not cookies,
                      "%s: server said %d %r for a Python cookie" % (kind, status, body))
                out = subprocess.run([cli, "decode", "-type", kind, "-secret", secret, token],
                                     capture_output=True, text=True)
                got = json.loads(out.stdout) if out.returncode == 0 else out.stderr
                check(got == want, "%s: CLI decoded %r, want %r" % (kind, got, want))
                # the CLI's own cookies read back in Python
                out = subprocess.run([cli, "encode", "-type", kind, "-secret", secret, json.dumps(want)],
                                     capture_output=True, text=True)
                back = py_decode(kind, secret, out.stdout.strip())
                back.pop("exp", None)
                check(back == want, "%s: Python read %r from the CLI's cookie" % (kind, back))
            # 3. Hostile cookies made in Python.
            if kind != "base64":
                hostile = [py_encode(kind, secret + "x", {"user": "root"})]
                if kind == "jwt":
                    hostile.append(jwt.encode({"user": "root"}, key="", algorithm="none"))
                    hostile.append(jwt.encode({"user": "root"}, key=secret, algorithm="HS512"))
                good = py_encode(kind, secret, {"user": "root"})
                hostile.append(good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"))
                for token in hostile:
                    status, body, _ = get(port, "/", token)
                    check(status == 200 and body == "Hello Anonymous",
                          "%s: hostile cookie %r gave %d %r" % (kind, token, status, body))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print("python interop: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
