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
Values are compared as canonical JSON text (sorted keys, exact number
spelling as Python writes it), never with Python's == alone, under which 1,
1.0 and True are all equal; the CLI's output is compared number text for
number text with the JSON Python wrote.

Run from the project root: python3 interop/python_check.py [--seed N] (needs
the Go toolchain, PyJWT and cryptography). The random seed (secrets and
values) is printed first; --seed N, or COOKIESESSION_PY_SEED=N, repeats a run.
Loopback only; every request is bounded.
"""
import argparse
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
        "float": rng.choice([0.1, 1.5e-07, 123456.789, 1e300]),
        # equal under Python's ==, different as JSON: a reader that turns
        # one into another must be caught
        "one": 1, "one_float": 1.0, "yes": True, "zero": 0, "zero_float": 0.0, "no": False,
        "nested": {"list": [True, False, None, "x", 1, 1.0], "obj": {"k": "<&>\"'"}},
        "empty": "",
    }


def canonical(value):
    """The JSON text of value with sorted keys: 1, 1.0 and True differ."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def same(got, want):
    return canonical(got) == canonical(want)


def exact(text):
    """JSON text decoded with every number kept as its text, so that comparing
    two results compares number spellings digit for digit (and bool with bool)."""
    return json.loads(text, parse_int=lambda s: ("int", s), parse_float=lambda s: ("float", s),
                      parse_constant=lambda s: ("constant", s))


def self_check():
    """The comparisons above must tell apart what == does not."""
    assert not same({"a": 1}, {"a": 1.0}) and not same({"a": 1}, {"a": True})
    assert not same([0], [False]) and same({"b": 1, "a": [1.5]}, {"a": [1.5], "b": 1})
    assert exact('{"a":1}') != exact('{"a":1.0}') and exact('{"a":1}') != exact('{"a":true}')
    assert exact('{"a":[1,true]}') == exact('{ "a" : [1, true] }')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    env = os.environ.get("COOKIESESSION_PY_SEED")
    parser.add_argument("--seed", type=int, default=int(env) if env else None,
                        help="random seed (default: $COOKIESESSION_PY_SEED, else the time)")
    args = parser.parse_args()
    if args.seed is None:
        args.seed = time.time_ns() % 2**32
    return args


def main():
    args = parse_args()
    self_check()
    print("python interop: seed %d (repeat with: python3 interop/python_check.py --seed %d)" % (args.seed, args.seed),
          flush=True)
    root = os.getcwd()
    rng = random.Random(args.seed)
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
        # 17 to 32 characters: a fernet secret of 16 or fewer leaves the whole
        # encryption key public, and the server refuses it.
        secret = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randrange(17, 33)))
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
            check(status == 307 and same(values.get("user"), "jack-o'neil"),
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
                want_text = json.dumps(want, separators=(",", ":"), ensure_ascii=False)
                got = exact(out.stdout) if out.returncode == 0 else out.stderr
                check(out.returncode == 0 and got == exact(want_text),
                      "%s: CLI decoded %s, want %s" % (kind, out.stdout or out.stderr, want_text))
                # the CLI's own cookies read back in Python
                out = subprocess.run([cli, "encode", "-type", kind, "-secret", secret, json.dumps(want)],
                                     capture_output=True, text=True)
                back = py_decode(kind, secret, out.stdout.strip())
                # The registered claims a jwt session carries: its expiry
                # (to the millisecond) and its creation (whole seconds, which
                # PyJWT checks lies in the past).
                if kind == "jwt":
                    check(isinstance(back.pop("exp", None), float), "jwt: the CLI's cookie carries no exp with milliseconds")
                    check(isinstance(back.pop("iat", None), int), "jwt: the CLI's cookie carries no whole-second iat")
                check(same(back, want), "%s: Python read %s from the CLI's cookie, want %s"
                      % (kind, canonical(back), canonical(want)))
            # 3. Hostile cookies made in Python.
            if kind != "base64":
                # Another secret of the same length (a 33-character one is
                # not a fernet secret at all).
                other = secret[:-1] + ("x" if secret[-1] != "x" else "y")
                hostile = [py_encode(kind, other, {"user": "root"})]
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
    print("python interop: seed %d" % args.seed)
    print("python_check: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
