package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, strings.TrimSpace(out.String()), errOut.String()
}

func TestKeygen(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		chars int
		bytes int
	}{
		{[]string{"keygen"}, 43, 32},
		{[]string{"keygen", "-type", "jwt"}, 43, 32},
		{[]string{"keygen", "-type", "fernet"}, 32, 24},
		{[]string{"keygen", "-type", "fernet", "-standard"}, 44, 32},
	} {
		code, a, _ := runCLI(tc.args...)
		_, b, _ := runCLI(tc.args...)
		if code != 0 || len(a) != tc.chars || a == b {
			t.Errorf("%v: exit %d, %q (%d chars), next %q", tc.args, code, a, len(a), b)
		}
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(a, "="))
		if err != nil || len(raw) != tc.bytes {
			t.Errorf("%v: %q is not %d bytes of base64url", tc.args, a, tc.bytes)
		}
		// The key must be usable as it is printed.
		typ := "jwt"
		if tc.chars != 43 {
			typ = "fernet"
		}
		if code, _, errOut := runCLI("encode", "-type", typ, "-secret", a, `{"k":1}`); code != 0 {
			t.Errorf("%v: key refused by encode: %s", tc.args, errOut)
		}
	}
	if code, _, _ := runCLI("keygen", "-type", "base64"); code != 2 {
		t.Errorf("keygen -type base64: exit %d, want 2", code)
	}
}

func TestEncodeDecode(t *testing.T) {
	values := `{"big":9007199254740993,"html":"<b>&</b>","name":"Jürgen"}`
	for _, typ := range []string{"base64", "jwt", "fernet"} {
		code, token, errOut := runCLI("encode", "-type", typ, "-secret", "cli-secret", values)
		if code != 0 {
			t.Fatalf("%s encode: %s", typ, errOut)
		}
		code, out, errOut := runCLI("decode", "-type", typ, "-secret", "cli-secret", token)
		if code != 0 || out != values {
			t.Errorf("%s decode: exit %d, %s %s", typ, code, out, errOut)
		}
	}
}

func TestDecodeASGIVectors(t *testing.T) {
	data, err := os.ReadFile("../../testdata/interop/asgi-sessions-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors struct {
		Valid []struct {
			Type, Token string
			Secret      *string
			Values      json.RawMessage
		}
		Invalid []struct {
			Type, Token, Why string
			Secret           *string
		}
	}
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatal(err)
	}
	args := func(typ string, secret *string, token string) []string {
		a := []string{"decode", "-type", typ, "-max-age", "0"}
		if secret != nil {
			a = append(a, "-secret", *secret)
		}
		return append(a, token)
	}
	for _, v := range vectors.Valid {
		code, out, errOut := runCLI(args(v.Type, v.Secret, v.Token)...)
		if code != 0 {
			t.Errorf("%s %s: exit %d: %s", v.Type, v.Token, code, errOut)
			continue
		}
		var got, want any
		json.Unmarshal([]byte(out), &got)
		json.Unmarshal(v.Values, &want)
		if !reflect.DeepEqual(got, want) || strings.Contains(string(v.Values), "9007199254740993") != strings.Contains(out, "9007199254740993") {
			t.Errorf("%s: printed %s, want %s", v.Type, out, v.Values)
		}
	}
	for _, v := range vectors.Invalid {
		code, out, errOut := runCLI(args(v.Type, v.Secret, v.Token)...)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, "cookiesession: ") {
			t.Errorf("%s (%s): exit %d, stdout %q, stderr %q", v.Type, v.Why, code, out, errOut)
		}
	}
}

func TestDecodeChecksExpiryUnlessTurnedOff(t *testing.T) {
	// A fernet token of asgi-sessions from 1985 (the Fernet spec's clock).
	const key = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
	_, token, _ := runCLI("encode", "-type", "fernet", "-secret", key, `{"a":1}`)
	if code, _, _ := runCLI("decode", "-type", "fernet", "-secret", key, "-max-age", "60", token); code != 0 {
		t.Fatal("a fresh token was refused")
	}
	old := "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA=="
	if code, _, errOut := runCLI("decode", "-type", "fernet", "-secret", key, old); code != 1 || !strings.Contains(errOut, "expired") {
		t.Errorf("a 1985 token: exit %d, %s", code, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{}, {"frobnicate"}, {"decode", "-type", "jwt"}, {"encode", "-type", "xml", "{}"}, {"decode", "-nope", "x"},
	} {
		if code, _, errOut := runCLI(args...); code == 0 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	if code, _, errOut := runCLI("encode", "-type", "jwt", "{}"); code != 1 || !strings.Contains(errOut, "secret key required") {
		t.Errorf("jwt without a secret: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI("encode", "-type", "base64", "[1]"); code != 1 || !strings.Contains(errOut, "JSON object") {
		t.Errorf("a non-object: exit %d, %q", code, errOut)
	}
}
