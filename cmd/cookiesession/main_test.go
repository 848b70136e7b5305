package main

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

// Secrets of the tests: 32 characters, fine for jwt and fernet.
const (
	secret    = "cli-test-secret-0123456789abcdef"
	oldSecret = "cli-old-secret-0123456789abcdefg"
	envSecret = "cli-env-secret-0123456789abcdefg"
)

// result is one run of the command.
type result struct {
	code           int
	stdout, stderr string
}

// runWith runs the command with the given environment and standard input.
func runWith(env map[string]string, stdin string, args ...string) result {
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut, func(k string) string { return env[k] })
	return result{code, strings.TrimSuffix(out.String(), "\n"), errOut.String()}
}

// runCLI runs the command with an empty environment and no input.
func runCLI(args ...string) result { return runWith(nil, "", args...) }

// mustToken makes a cookie value with the library itself.
func mustToken(t *testing.T, cfg cookiesession.Config, values cookiesession.Values) string {
	t.Helper()
	codec, err := cookiesession.NewCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	token, err := codec.Encode(values)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Every way to call the command, with its exit code (0 done, 1 refused,
// 2 usage) and what it must and must not print.
func TestInvocations(t *testing.T) {
	tom := cookiesession.Values{"user": []byte(`"tom"`)}
	jwtTom := mustToken(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: secret}, tom)
	jwtOld := mustToken(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: oldSecret}, tom)
	jwtEnv := mustToken(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: envSecret}, tom)
	fernetTom := mustToken(t, cookiesession.Config{Type: cookiesession.Fernet, SecretKey: secret}, tom)
	base64Tom := mustToken(t, cookiesession.Config{Type: cookiesession.Base64}, tom)
	// Made with an hour to live in 2001: expired now, unless the expiry
	// check is off.
	past := func() time.Time { return time.Unix(1e9, 0) }
	jwtExpired := mustToken(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: secret, MaxAge: time.Hour, Now: past}, tom)
	fernetExpired := mustToken(t, cookiesession.Config{Type: cookiesession.Fernet, SecretKey: secret, MaxAge: time.Hour, Now: past}, tom)
	// A jwt with a line break in its payload segment: Go's base64 decoder
	// skips it, so only a length check refuses it.
	parts := strings.SplitN(jwtOld, ".", 3)
	jwtLineBreak := parts[0] + "." + parts[1][:8] + "\n" + parts[1][8:] + "." + parts[2]
	tamperedSig := jwtTom[:len(jwtTom)-4] + "AAAA"
	if tamperedSig == jwtTom {
		tamperedSig = jwtTom[:len(jwtTom)-4] + "BBBB"
	}

	secretFile := writeFile(t, secret+"\n")
	secretFileCRLF := writeFile(t, secret+"\r\n")
	secretFileTwoNewlines := writeFile(t, secret+"\n\n")
	emptyFile := writeFile(t, "\n")
	env := map[string]string{secretEnv: secret}
	wrongEnv := map[string]string{secretEnv: envSecret}

	const tomJSON = `{"user":"tom"}`
	for _, tc := range []struct {
		name   string
		env    map[string]string
		stdin  string
		args   []string
		code   int
		stdout string   // exact, when code is 0 and it is not ""
		errHas []string // stderr contains each
		errNot []string // stderr contains none
	}{
		// help
		{name: "help", args: []string{"-h"}, code: 0},
		{name: "decode -h", args: []string{"decode", "-h"}, code: 0},
		{name: "no command", args: []string{}, code: 2, errHas: []string{"usage:"}},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, errHas: []string{`unknown command "frobnicate"`}},
		{name: "unknown flag", args: []string{"decode", "-nope", "x"}, code: 2, errHas: []string{"-nope"}},

		// -type
		{name: "-type jwtt", args: []string{"encode", "-type", "jwtt", "{}"}, code: 2, errHas: []string{`invalid value "jwtt" for flag -type: want base64, jwt, fernet, starlette, flask, django, iron-session or cookie-session`}},
		{name: "missing -type", args: []string{"decode", "-secret", secret, jwtTom}, code: 2, errHas: []string{"-type is required"}, errNot: []string{"Config.Type"}},
		{name: "missing -type, encode", args: []string{"encode", "-secret", secret, "{}"}, code: 2, errHas: []string{"-type"}, errNot: []string{"Config.Type"}},
		{name: "-type in capitals", args: []string{"decode", "-type", "JWT", "-secret", secret, jwtTom}, code: 0, stdout: tomJSON},

		// secrets
		{name: "-secret", args: []string{"decode", "-type", "jwt", "-secret", secret, jwtTom}, code: 0, stdout: tomJSON},
		{name: "-secret-file, newline removed", args: []string{"decode", "-type", "jwt", "-secret-file", secretFile, jwtTom}, code: 0, stdout: tomJSON},
		{name: "-secret-file, CRLF removed", args: []string{"decode", "-type", "jwt", "-secret-file", secretFileCRLF, jwtTom}, code: 0, stdout: tomJSON},
		{name: "-secret-file, only one newline removed", args: []string{"decode", "-type", "jwt", "-secret-file", secretFileTwoNewlines, jwtTom}, code: 1, errHas: []string{"signature", "white space"}},
		{name: "environment", env: env, args: []string{"decode", "-type", "jwt", jwtTom}, code: 0, stdout: tomJSON},
		{name: "environment, fernet", env: env, args: []string{"decode", "-type", "fernet", fernetTom}, code: 0, stdout: tomJSON},
		{name: "-secret wins over the environment", env: wrongEnv, args: []string{"decode", "-type", "jwt", "-secret", secret, jwtTom}, code: 0, stdout: tomJSON},
		{name: "-secret-file wins over the environment", env: wrongEnv, args: []string{"decode", "-type", "jwt", "-secret-file", secretFile, jwtTom}, code: 0, stdout: tomJSON},
		{name: "the environment is used when no flag is", env: wrongEnv, args: []string{"decode", "-type", "jwt", jwtEnv}, code: 0, stdout: tomJSON},
		{name: "-secret and -secret-file", args: []string{"decode", "-type", "jwt", "-secret", secret, "-secret-file", secretFile, jwtTom}, code: 2, errHas: []string{"not both"}},
		{name: "no secret", args: []string{"decode", "-type", "jwt", jwtTom}, code: 2, errHas: []string{secretEnv, "-secret-file"}},
		{name: "no secret, encode", args: []string{"encode", "-type", "fernet", "{}"}, code: 2, errHas: []string{secretEnv}},
		{name: "empty secret file", args: []string{"decode", "-type", "jwt", "-secret-file", emptyFile, jwtTom}, code: 2, errHas: []string{"empty"}},
		{name: "missing secret file", args: []string{"decode", "-type", "jwt", "-secret-file", filepath.Join(t.TempDir(), "none"), jwtTom}, code: 2, errHas: []string{"-secret-file"}},
		{name: "invalid fernet secret", args: []string{"decode", "-type", "fernet", "-secret", strings.Repeat("x", 33), fernetTom}, code: 2, errHas: []string{"invalid secret"}},
		{name: "invalid -previous-secret", args: []string{"decode", "-type", "fernet", "-secret", secret, "-previous-secret", strings.Repeat("x", 33), fernetTom}, code: 2, errHas: []string{"invalid secret"}},
		{name: "empty -previous-secret", args: []string{"decode", "-type", "jwt", "-secret", secret, "-previous-secret", "", jwtTom}, code: 2, errHas: []string{"-previous-secret"}},
		{name: "short jwt secret", args: []string{"encode", "-type", "jwt", "-secret", "short", "{}"}, code: 0, errHas: []string{"note: the jwt secret has 5 bytes; use at least 32"}},
		{name: "short jwt -previous-secret", args: []string{"decode", "-type", "jwt", "-secret", secret, "-previous-secret", "k", jwtTom}, code: 0, stdout: tomJSON, errHas: []string{"note: the jwt -previous-secret #1 has 1 bytes"}},
		{name: "32-byte jwt secret", args: []string{"decode", "-type", "jwt", "-secret", secret, jwtTom}, code: 0, stdout: tomJSON, errNot: []string{"note:"}},
		{name: "base64 needs no secret", args: []string{"decode", "-type", "base64", base64Tom}, code: 0, stdout: tomJSON},
		{name: "the secret does not leak into errors", args: []string{"decode", "-type", "jwt", "-secret", secret, tamperedSig}, code: 1, errNot: []string{secret}},

		// -previous-secret
		{name: "old cookie, old key not given", args: []string{"decode", "-type", "jwt", "-secret", secret, jwtOld}, code: 1, errHas: []string{"signature"}},
		{name: "old cookie, -previous-secret", args: []string{"decode", "-type", "jwt", "-secret", secret, "-previous-secret", oldSecret, jwtOld}, code: 0, stdout: tomJSON},
		{name: "-v names the previous key", args: []string{"decode", "-v", "-type", "jwt", "-secret", secret, "-previous-secret", envSecret, "-previous-secret", oldSecret, jwtOld}, code: 0, stdout: tomJSON, errHas: []string{"key: -previous-secret #2\n", "expires: "}},
		{name: "-v names the current key", args: []string{"decode", "-v", "-type", "jwt", "-secret", secret, "-previous-secret", oldSecret, jwtTom}, code: 0, stdout: tomJSON, errHas: []string{"key: the current secret\n"}},
		{name: "-v fernet", args: []string{"decode", "-v", "-type", "fernet", "-secret", oldSecret, "-previous-secret", secret, fernetTom}, code: 0, stdout: tomJSON, errHas: []string{"key: -previous-secret #1\n", "written: ", "(fernet timestamp)"}},
		{name: "-v base64", args: []string{"decode", "-v", "-type", "base64", base64Tom}, code: 0, stdout: tomJSON, errHas: []string{"not signed"}},

		// -max-age
		{name: "expired jwt", args: []string{"decode", "-type", "jwt", "-secret", secret, jwtExpired}, code: 1, errHas: []string{"expired"}},
		{name: "expired jwt, -max-age 0", args: []string{"decode", "-type", "jwt", "-secret", secret, "-max-age", "0", jwtExpired}, code: 0, stdout: tomJSON},
		{name: "expired fernet", args: []string{"decode", "-type", "fernet", "-secret", secret, fernetExpired}, code: 1, errHas: []string{"expired"}},
		{name: "-max-age overflowing a Duration", args: []string{"decode", "-type", "jwt", "-secret", secret, "-max-age", "9300000000", jwtExpired}, code: 2, errHas: []string{"-max-age 9300000000 is out of range"}},
		{name: "-max-age overflowing, fernet", args: []string{"decode", "-type", "fernet", "-secret", secret, "-max-age", "9300000000", fernetExpired}, code: 2, errHas: []string{"out of range"}},
		{name: "-max-age the largest", args: []string{"decode", "-type", "fernet", "-secret", secret, "-max-age", "9223372036", fernetExpired}, code: 0, stdout: tomJSON},
		{name: "-max-age one more than the largest", args: []string{"decode", "-type", "fernet", "-secret", secret, "-max-age", "9223372037", fernetExpired}, code: 2, errHas: []string{"out of range"}},
		{name: "-max-age overflowing int64", args: []string{"decode", "-type", "jwt", "-secret", secret, "-max-age", "99999999999999999999", jwtTom}, code: 2, errHas: []string{"-max-age"}},
		{name: "-max-age negative", args: []string{"decode", "-type", "jwt", "-secret", secret, "-max-age", "-1", jwtExpired}, code: 2, errHas: []string{"out of range"}},
		{name: "-max-age negative, encode", args: []string{"encode", "-type", "jwt", "-secret", secret, "-max-age", "-5", "{}"}, code: 2, errHas: []string{"out of range"}},

		// decode: refused cookies and arguments
		{name: "tampered", args: []string{"decode", "-type", "jwt", "-secret", secret, tamperedSig}, code: 1, errHas: []string{"signature"}},
		{name: "garbage", args: []string{"decode", "-type", "fernet", "-secret", secret, "garbage"}, code: 1, errHas: []string{"malformed"}},
		{name: "too large", args: []string{"decode", "-type", "jwt", "-secret", secret, strings.Repeat("a", 5000)}, code: 1, errHas: []string{"too large"}},
		{name: "quoted", args: []string{"decode", "-type", "jwt", "-secret", secret, `"` + jwtTom + `"`}, code: 0, stdout: tomJSON},
		{name: "from stdin", stdin: jwtTom + "\n", args: []string{"decode", "-type", "jwt", "-secret", secret, "-"}, code: 0, stdout: tomJSON},
		{name: "no token", args: []string{"decode", "-type", "jwt", "-secret", secret}, code: 2, errHas: []string{"TOKEN"}},
		{name: "two tokens", args: []string{"decode", "-type", "jwt", "-secret", secret, jwtTom, jwtTom}, code: 2},
		{name: "flag after the token", args: []string{"decode", "-type", "jwt", "-secret", secret, jwtTom, "-v"}, code: 2, errHas: []string{"flags go before arguments"}},

		// decode -cookies
		{name: "-cookies", args: []string{"decode", "-type", "jwt", "-secret", secret, "-cookies", "a=1; session=" + jwtTom + "; b=2"}, code: 0, stdout: tomJSON},
		{name: "-cookies, first that decodes wins", args: []string{"decode", "-type", "jwt", "-secret", secret, "-previous-secret", oldSecret, "-v", "-cookies", "session=" + tamperedSig + "; session=" + jwtOld + "; session=" + jwtTom}, code: 0, stdout: tomJSON, errHas: []string{"cookie: #2 of the 3", "key: -previous-secret #1"}},
		{name: "-cookies, the first error is reported", args: []string{"decode", "-type", "jwt", "-secret", secret, "-cookies", "session=" + jwtExpired + "; session=" + tamperedSig}, code: 1, errHas: []string{"expired"}, errNot: []string{"signature"}},
		{name: "-cookies, none decodes", args: []string{"decode", "-type", "jwt", "-secret", secret, "-cookies", "session=" + tamperedSig + "; session=" + jwtOld}, code: 1, errHas: []string{`cookie "session" refused`, "signature"}},
		{name: "-cookies, -name", args: []string{"decode", "-type", "jwt", "-secret", secret, "-name", "sid", "-cookies", "session=x; sid=" + jwtTom}, code: 0, stdout: tomJSON},
		{name: "-cookies, no such cookie", args: []string{"decode", "-type", "jwt", "-secret", secret, "-cookies", "a=1; b=2"}, code: 1, errHas: []string{`no cookie named "session"`, `"a", "b"`}},
		{name: "-cookies, empty header", args: []string{"decode", "-type", "jwt", "-secret", secret, "-cookies", ""}, code: 1, errHas: []string{"no cookie named"}},
		{name: "-cookies, a Cookie: prefix", args: []string{"decode", "-type", "jwt", "-secret", secret, "-cookies", "Cookie: session=" + jwtTom}, code: 0, stdout: tomJSON},
		{name: "-cookies from stdin", stdin: "a=1; session=" + jwtTom + "\n", args: []string{"decode", "-type", "jwt", "-secret", secret, "-cookies", "-"}, code: 0, stdout: tomJSON},
		{name: "-cookies and a token", args: []string{"decode", "-type", "jwt", "-secret", secret, "-cookies", "session=" + jwtTom, jwtTom}, code: 2, errHas: []string{"not both"}},
		{name: "-cookies, bad name", args: []string{"decode", "-type", "jwt", "-secret", secret, "-name", "a b", "-cookies", "session=" + jwtTom}, code: 2, errHas: []string{"invalid configuration"}},

		// decode -unverified
		{name: "-unverified jwt", args: []string{"decode", "-type", "jwt", "-unverified", jwtOld}, code: 0, errHas: []string{unverifiedLabel}},
		{name: "-unverified jwt, tampered", args: []string{"decode", "-type", "jwt", "-unverified", tamperedSig}, code: 0, errHas: []string{unverifiedLabel}},
		{name: "-unverified base64", args: []string{"decode", "-type", "base64", "-unverified", base64Tom}, code: 0, stdout: tomJSON, errHas: []string{unverifiedLabel}},
		{name: "-unverified fernet", args: []string{"decode", "-type", "fernet", "-unverified", fernetTom}, code: 2, errHas: []string{"encrypted"}, errNot: []string{unverifiedLabel}},
		{name: "-unverified garbage", args: []string{"decode", "-type", "jwt", "-unverified", "a.b.c"}, code: 1, errHas: []string{"malformed"}, errNot: []string{unverifiedLabel}},
		{name: "-unverified four segments", args: []string{"decode", "-type", "jwt", "-unverified", jwtOld + ".x"}, code: 1, errHas: []string{"3 segments"}},
		{name: "-unverified two segments", args: []string{"decode", "-type", "jwt", "-unverified", "a.b"}, code: 1, errHas: []string{"3 segments"}},
		{name: "-unverified line break", args: []string{"decode", "-type", "jwt", "-unverified", jwtLineBreak}, code: 1, errHas: []string{"not base64url"}},
		{name: "-unverified base64 garbage", args: []string{"decode", "-type", "base64", "-unverified", "!!!"}, code: 1, errNot: []string{unverifiedLabel}},
		{name: "-unverified too large", args: []string{"decode", "-type", "jwt", "-unverified", strings.Repeat("a", 5000)}, code: 1, errHas: []string{"too large"}},
		{name: "-unverified -cookies", args: []string{"decode", "-type", "jwt", "-unverified", "-cookies", "session=junk; session=" + jwtOld}, code: 0, errHas: []string{unverifiedLabel}},

		// encode
		{name: "encode", args: []string{"encode", "-type", "base64", tomJSON}, code: 0, stdout: base64Tom},
		{name: "encode from stdin", stdin: tomJSON, args: []string{"encode", "-type", "base64", "-"}, code: 0, stdout: base64Tom},
		{name: "encode bad JSON", args: []string{"encode", "-type", "base64", `{"a":}`}, code: 2, errHas: []string{"invalid character '}'"}},
		{name: "encode truncated JSON", args: []string{"encode", "-type", "base64", `{"a":1`}, code: 2, errHas: []string{"unexpected end of JSON input"}},
		{name: "encode not an object", args: []string{"encode", "-type", "base64", "[1]"}, code: 2, errHas: []string{"JSON object"}},
		{name: "encode null", args: []string{"encode", "-type", "base64", "null"}, code: 2, errHas: []string{"JSON object"}},
		{name: "encode invalid UTF-8", args: []string{"encode", "-type", "base64", "{\"a\":\"\xff\"}"}, code: 2, errHas: []string{"UTF-8"}},
		{name: "encode jwt exp", args: []string{"encode", "-type", "jwt", "-secret", secret, `{"exp":1}`}, code: 2, errHas: []string{"reserved", `"exp"`}},
		{name: "encode jwt nbf", args: []string{"encode", "-type", "jwt", "-secret", secret, `{"user":"tom","nbf":1}`}, code: 2, errHas: []string{"reserved", `"nbf"`}},
		{name: "encode fernet exp is a plain key", args: []string{"encode", "-type", "fernet", "-secret", secret, `{"exp":1}`}, code: 0},
		{name: "encode too large", args: []string{"encode", "-type", "base64", `{"a":"` + strings.Repeat("x", 4000) + `"}`}, code: 1, errHas: []string{"too large"}},
		{name: "encode no argument", args: []string{"encode", "-type", "base64"}, code: 2},

		// keygen
		{name: "keygen -standard", args: []string{"keygen", "-standard"}, code: 2, errHas: []string{"-type fernet"}},
		{name: "keygen -type jwt -standard", args: []string{"keygen", "-type", "jwt", "-standard"}, code: 2, errHas: []string{"-type fernet"}},
		{name: "keygen -type base64", args: []string{"keygen", "-type", "base64"}, code: 2, errHas: []string{"jwt or fernet"}},
		{name: "keygen argument", args: []string{"keygen", "x"}, code: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runWith(tc.env, tc.stdin, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout %q\nstderr %q", r.code, tc.code, r.stdout, r.stderr)
			}
			switch {
			case tc.code != 0 && r.stdout != "":
				t.Errorf("stdout %q, want nothing on failure", r.stdout)
			case tc.stdout != "" && r.stdout != tc.stdout:
				t.Errorf("stdout %q, want %q", r.stdout, tc.stdout)
			case tc.code == 0 && r.stdout == "":
				t.Errorf("nothing on stdout")
			}
			for _, s := range tc.errHas {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			for _, s := range tc.errNot {
				if strings.Contains(r.stderr, s) {
					t.Errorf("stderr holds %q:\n%s", s, r.stderr)
				}
			}
			switch tc.code {
			case 1:
				// One line that says why, no usage.
				if !strings.HasPrefix(r.stderr, "cookiesession: ") || strings.Contains(r.stderr, "usage:") {
					t.Errorf("a refusal printed %q", r.stderr)
				}
			case 2:
				// The error once, the usage once.
				if n := strings.Count(r.stderr, "usage:"); n != 1 {
					t.Errorf("usage printed %d times:\n%s", n, r.stderr)
				}
				if first, _, _ := strings.Cut(r.stderr, "\n"); first != "usage:" && strings.Count(r.stderr, first) != 1 {
					t.Errorf("error printed more than once:\n%s", r.stderr)
				}
			}
		})
	}
}

// The full help documents the exit codes and the ways to give a secret,
// the ones that keep it out of ps and shell history first.
func TestHelp(t *testing.T) {
	r := runCLI("-h")
	if r.code != 0 {
		t.Fatalf("exit %d", r.code)
	}
	for _, s := range []string{"Exit status:", "  0  done", "  1  decode", "  2  usage", "-unverified", "-cookies", "-previous-secret", "-max-age"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("help lacks %q", s)
		}
	}
	env, file, flag := strings.Index(r.stdout, secretEnv+"="), strings.Index(r.stdout, "-secret-file PATH"), strings.Index(r.stdout, "  -secret S")
	if env < 0 || file < 0 || flag < 0 || env > flag || file > flag {
		t.Errorf("help does not document the environment (%d) and -secret-file (%d) before -secret (%d)", env, file, flag)
	}
	if d := runCLI("decode", "-h"); d.code != 0 || d.stdout != r.stdout {
		t.Errorf("decode -h: exit %d", d.code)
	}
}

func TestKeygen(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		chars int
		bytes int
		typ   string
	}{
		{[]string{"keygen"}, 43, 32, "jwt"},
		{[]string{"keygen", "-type", "jwt"}, 43, 32, "jwt"},
		{[]string{"keygen", "-type", "fernet"}, 32, 24, "fernet"},
		{[]string{"keygen", "-type", "fernet", "-standard"}, 44, 32, "fernet"},
	} {
		a, b := runCLI(tc.args...), runCLI(tc.args...)
		if a.code != 0 || len(a.stdout) != tc.chars || a.stdout == b.stdout {
			t.Errorf("%v: exit %d, %q (%d chars), next %q", tc.args, a.code, a.stdout, len(a.stdout), b.stdout)
		}
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(a.stdout, "="))
		if err != nil || len(raw) != tc.bytes {
			t.Errorf("%v: %q is not %d bytes of base64url", tc.args, a.stdout, tc.bytes)
		}
		// The key must be usable as it is printed, with no warning.
		r := runCLI("encode", "-type", tc.typ, "-secret", a.stdout, `{"k":1}`)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%v: key refused by encode: %d %s", tc.args, r.code, r.stderr)
		}
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	values := `{"big":9007199254740993,"html":"<b>&</b>","name":"Jürgen","nested":{"z":1,"a":[1.0,-0,1e400]}}`
	for _, typ := range []string{"base64", "jwt", "fernet"} {
		enc := runCLI("encode", "-type", typ, "-secret", secret, values)
		if enc.code != 0 {
			t.Fatalf("%s encode: %s", typ, enc.stderr)
		}
		dec := runCLI("decode", "-type", typ, "-secret", secret, enc.stdout)
		// A jwt session carries its creation time as the "iat" claim,
		// which decode shows as it stands in the cookie.
		shown := regexp.MustCompile(`"iat":[0-9]+,`).ReplaceAllString(dec.stdout, "")
		if typ == "jwt" && shown == dec.stdout {
			t.Errorf("jwt decode shows no iat claim: %s", dec.stdout)
		}
		if dec.code != 0 || shown != values {
			t.Errorf("%s decode: exit %d, %s %s", typ, dec.code, dec.stdout, dec.stderr)
		}
		// What the CLI writes, a server with the same Config reads.
		codec, err := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.Type(typ), SecretKey: secret})
		if err != nil {
			t.Fatal(err)
		}
		got, err := codec.Decode(enc.stdout)
		if err != nil || string(got["big"]) != "9007199254740993" || string(got["nested"]) != `{"z":1,"a":[1.0,-0,1e400]}` {
			t.Errorf("%s: the library read %v, %v", typ, got, err)
		}
	}
}

// An empty session still encodes to a cookie that decodes to {}.
func TestEncodeEmptySession(t *testing.T) {
	for _, typ := range []string{"base64", "jwt", "fernet"} {
		enc := runCLI("encode", "-type", typ, "-secret", secret, " { } ")
		if enc.code != 0 || enc.stdout == "" {
			t.Fatalf("%s: exit %d %q %s", typ, enc.code, enc.stdout, enc.stderr)
		}
		if dec := runCLI("decode", "-type", typ, "-secret", secret, enc.stdout); dec.code != 0 || dec.stdout != "{}" {
			t.Errorf("%s: decode %d %q %s", typ, dec.code, dec.stdout, dec.stderr)
		}
	}
}

// -unverified prints every claim the payload holds, exp included, without
// the signature's key.
func TestUnverifiedPrintsThePayload(t *testing.T) {
	enc := runCLI("encode", "-type", "jwt", "-secret", oldSecret, "-max-age", "60", `{"user":"tom","uid":9007199254740993}`)
	if enc.code != 0 {
		t.Fatal(enc.stderr)
	}
	r := runCLI("decode", "-type", "jwt", "-unverified", enc.stdout)
	if r.code != 0 || !strings.HasPrefix(r.stdout, `{"exp":`) || !strings.HasSuffix(r.stdout, `,"uid":9007199254740993,"user":"tom"}`) {
		t.Errorf("exit %d, %q", r.code, r.stdout)
	}
	if !strings.Contains(r.stderr, "cookiesession: "+unverifiedLabel) {
		t.Errorf("stderr %q lacks the label", r.stderr)
	}
}

// A secret given in a file keeps exactly the bytes before one trailing
// newline: a token made with "S\n" is not read with "S".
func TestSecretFileKeepsInnerWhitespace(t *testing.T) {
	withNewline := mustToken(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: secret + "\n"}, cookiesession.Values{"a": []byte("1")})
	path := writeFile(t, secret+"\n\n")
	if r := runCLI("decode", "-type", "jwt", "-secret-file", path, withNewline); r.code != 0 || r.stdout != `{"a":1}` {
		t.Errorf("exit %d %q %s", r.code, r.stdout, r.stderr)
	}
}
