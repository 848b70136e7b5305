package redis

import (
	"errors"
	"strconv"
	"testing"
)

func TestParseMessage(t *testing.T) {
	good := map[string]entry{
		"s 1700000000000 abc":    {name: "abc", expires: 1700000000000},
		"s 1 a b":                {name: "a b", expires: 1},
		"u -5 1700000000000 tom": {user: true, name: "tom", before: -5, expires: 1700000000000},
		"u 1 2 a:b c":            {user: true, name: "a:b c", before: 1, expires: 2},
		"s 999999999999999999 x": {name: "x", expires: 999999999999999999},
	}
	for msg, want := range good {
		got, err := parseMessage(msg)
		if err != nil || got != want {
			t.Errorf("%q: %+v, %v; want %+v", msg, got, err, want)
		}
	}
	for _, msg := range []string{"", "s", "s ", "s 1", "s 1 ", "s +1 x", "s 1e3 x", "s 0x1 x",
		"s 1000000000000000000 x", "u 1 2", "u 1 2 ", "u 1 x tom", "u x 1 tom", "x 1 a", "S 1 a", " s 1 a", "s -  x"} {
		if e, err := parseMessage(msg); !errors.Is(err, ErrMalformedEntry) {
			t.Errorf("%q: %+v, %v; want ErrMalformedEntry", msg, e, err)
		}
	}
}

func TestParseKeyValue(t *testing.T) {
	p := "pre:"
	if e, err := parseKeyValue(p, "pre:s:a b", "12"); err != nil || e != (entry{name: "a b", expires: 12}) {
		t.Errorf("session: %+v, %v", e, err)
	}
	if e, err := parseKeyValue(p, "pre:u:tom", "3 12"); err != nil || e != (entry{user: true, name: "tom", before: 3, expires: 12}) {
		t.Errorf("user: %+v, %v", e, err)
	}
	for _, kv := range [][2]string{{"pre:s:", "1"}, {"pre:x:a", "1"}, {"other:s:a", "1"}, {"pre:s:a", ""},
		{"pre:s:a", "1 2"}, {"pre:u:a", "1"}, {"pre:u:a", "1 2 3"}, {"pre:u:a", " 1"}, {"pre:sa", "1"}} {
		if e, err := parseKeyValue(p, kv[0], kv[1]); !errors.Is(err, ErrMalformedEntry) {
			t.Errorf("%q=%q: %+v, %v; want ErrMalformedEntry", kv[0], kv[1], e, err)
		}
	}
}

func TestMatchPattern(t *testing.T) {
	if got := matchPattern(`a*b?[c]\:`); got != `a\*b\?\[c\]\\:*` {
		t.Errorf("matchPattern = %q", got)
	}
}

// FuzzParseMessage: any message parses to an entry or is malformed, never
// panics, and a parsed entry is written back as the same message.
func FuzzParseMessage(f *testing.F) {
	for _, s := range []string{"s 1 a", "u 1 2 tom", "u -1 2 a b", "s 99999999999999999999 x", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		e, err := parseMessage(msg)
		if err != nil {
			if !errors.Is(err, ErrMalformedEntry) {
				t.Fatalf("%q: %v", msg, err)
			}
			return
		}
		var back string
		if e.user {
			back = "u " + strconv.FormatInt(e.before, 10) + " " + strconv.FormatInt(e.expires, 10) + " " + e.name
		} else {
			back = "s " + strconv.FormatInt(e.expires, 10) + " " + e.name
		}
		if back != msg && e.name != "" {
			// Leading zeros or "-0" parse to the same number; anything else
			// must round trip.
			e2, err := parseMessage(back)
			if err != nil || e2 != e {
				t.Fatalf("%q parsed to %+v, written back as %q", msg, e, back)
			}
		}
		if e.name == "" {
			t.Fatalf("%q: entry with an empty name", msg)
		}
	})
}
