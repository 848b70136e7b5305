package main

import (
	"errors"
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

// Each flag lands in the session configuration as documented.
func TestFlagsConfig(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		check func(cookiesession.Config) bool
	}{
		{nil, func(c cookiesession.Config) bool {
			return c.Type == cookiesession.JWT && c.SecretKey == demoSecret && c.MaxAge == 0 && !c.Rolling &&
				c.Lifetime == 0 && c.Revocation == nil && c.MigrateFrom == nil && c.MaxSize == 0 && !c.Compress &&
				c.CookieName == "session" && c.PreviousSecretKeys == nil
		}},
		{[]string{"-type", "FLASK", "-secret", "s"}, func(c cookiesession.Config) bool {
			return c.Type == cookiesession.Flask && c.SecretKey == "s"
		}},
		{[]string{"-max-age", "0"}, func(c cookiesession.Config) bool { return c.MaxAge == cookiesession.BrowserSession }},
		{[]string{"-max-age", "3"}, func(c cookiesession.Config) bool { return c.MaxAge == 3*time.Second }},
		{[]string{"-rolling", "-lifetime", "8"}, func(c cookiesession.Config) bool { return c.Rolling && c.Lifetime == 8*time.Second }},
		{[]string{"-lifetime", "0"}, func(c cookiesession.Config) bool { return c.Lifetime == 0 }},
		{[]string{"-previous-secret", "a", "-previous-secret", "b"}, func(c cookiesession.Config) bool {
			return reflect.DeepEqual(c.PreviousSecretKeys, []string{"a", "b"})
		}},
		{[]string{"-revocation"}, func(c cookiesession.Config) bool {
			_, ok := c.Revocation.(*cookiesession.MemoryRevocationList)
			return ok
		}},
		{[]string{"-max-size", "16384", "-compress"}, func(c cookiesession.Config) bool { return c.MaxSize == 16384 && c.Compress }},
		{[]string{"-cookie", "go_session", "-migrate-from", "flask", "-migrate-secret", "m"}, func(c cookiesession.Config) bool {
			return c.CookieName == "go_session" && reflect.DeepEqual(c.MigrateFrom, []cookiesession.Migration{{Type: cookiesession.Flask, SecretKey: "m", CookieName: "session"}})
		}},
		{[]string{"-migrate-from", "django"}, func(c cookiesession.Config) bool {
			return reflect.DeepEqual(c.MigrateFrom, []cookiesession.Migration{{Type: cookiesession.Django, CookieName: "sessionid"}})
		}},
		{[]string{"-migrate-from", "django", "-migrate-cookie", "dj"}, func(c cookiesession.Config) bool {
			return reflect.DeepEqual(c.MigrateFrom, []cookiesession.Migration{{Type: cookiesession.Django, CookieName: "dj"}})
		}},
	} {
		o, err := parseFlags(tc.args, io.Discard)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if cfg := o.config(); !tc.check(cfg) {
			t.Errorf("%q: config %+v", tc.args, cfg)
		}
	}
}

// A flag that cannot be parsed, or that needs another, is an error
// that names it; so is a stray argument.
func TestFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-type", "gorilla"}, "unknown session type"},
		{[]string{"-max-age", "-1"}, "0 or more"},
		{[]string{"-max-age", "1.5"}, "whole number"},
		{[]string{"-lifetime", "-5"}, "0 or more"},
		{[]string{"-lifetime", "9999999999999"}, "at most"},
		{[]string{"-max-size", "big"}, "max-size"},
		{[]string{"-migrate-from", "nope"}, "unknown session type"},
		{[]string{"-migrate-secret", "s"}, "-migrate-secret needs -migrate-from"},
		{[]string{"-migrate-cookie", "flask"}, "-migrate-cookie needs -migrate-from"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		var out strings.Builder
		_, err := parseFlags(tc.args, &out)
		if err == nil || !strings.Contains(out.String()+err.Error(), tc.want) {
			t.Errorf("%q: error %v, output %q; want one saying %q", tc.args, err, out.String(), tc.want)
		}
	}
	if _, err := parseFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

// What only the session configuration can judge is refused by
// cookiesession.New, so the router does not start.
func TestConfigErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-type", "iron-session", "-secret", "short"},         // iron passwords have 32 characters at least
		{"-type", "fernet", "-compress"},                      // compression leaks encrypted secrets
		{"-type", "flask", "-max-size", "8192"},               // Flask cannot read chunks
		{"-max-size", "100"},                                  // less than one cookie
		{"-max-size", "20000"},                                // more than any browser sends
		{"-migrate-from", "fernet", "-migrate-secret", "bad"}, // too short a fernet key
		{"-type", "jwt", "-secret", ""},
	} {
		o, err := parseFlags(args, io.Discard)
		if err != nil {
			t.Errorf("%q: flags refused: %v", args, err)
			continue
		}
		if _, err := cookiesession.New(o.config()); err == nil {
			t.Errorf("%q: New accepted it", args)
		}
	}
}

// main warns of an unsigned type and of the public demo secret. A
// migration format under the router's own cookie name needs no warning:
// the core tries it on what the router's own format refuses.
func TestWarnings(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string // substrings, one per warning
	}{
		{[]string{"-secret", testSecret}, nil},
		{nil, []string{"demo secret"}},
		{[]string{"-type", "base64"}, []string{"not signed"}},
		{[]string{"-secret", testSecret, "-migrate-from", "flask", "-migrate-secret", testSecret}, nil},
		{[]string{"-secret", testSecret, "-migrate-from", "flask", "-migrate-cookie", "session"}, nil},
		{[]string{"-secret", testSecret, "-migrate-from", "flask", "-migrate-cookie", "flask"}, nil},
		{[]string{"-secret", testSecret, "-cookie", "go", "-migrate-from", "flask"}, nil},
		{[]string{"-secret", testSecret, "-migrate-from", "django"}, nil},
		{[]string{"-secret", testSecret, "-cookie", "sessionid", "-migrate-from", "django"}, nil},
	} {
		o, err := parseFlags(tc.args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		got := o.warnings()
		ok := len(got) == len(tc.want)
		for i := 0; ok && i < len(got); i++ {
			ok = strings.Contains(got[i], tc.want[i])
		}
		if !ok {
			t.Errorf("%q: warnings %q, want ones saying %q", tc.args, got, tc.want)
		}
	}
}
