package cookiesession

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// testSecret is a secret New accepts for every type without a warning.
const testSecret = "0123456789abcdef0123456789abcdef"

func loadedSession(t *testing.T, values Values) *Session {
	t.Helper()
	m, err := New(Config{Type: JWT, SecretKey: testSecret, ErrorHandler: failOnError(t)})
	if err != nil {
		t.Fatal(err)
	}
	token := ""
	if values != nil {
		if token, err = m.codec.Encode(values); err != nil {
			t.Fatal(err)
		}
	}
	return m.Load(context.Background(), token)
}

func TestSessionGetTypes(t *testing.T) {
	s := loadedSession(t, Values{
		"s": json.RawMessage(`"tom"`), "n": json.RawMessage(`9007199254740993`),
		"f": json.RawMessage(`1.5e-07`), "b": json.RawMessage(`true`),
		"o": json.RawMessage(`{"a":[1,null]}`),
	})
	if s.GetString("s") != "tom" || s.Get("b") != true {
		t.Errorf("s=%#v b=%#v", s.Get("s"), s.Get("b"))
	}
	if n := s.Get("n"); n != json.Number("9007199254740993") {
		t.Errorf("n = %#v", n)
	}
	if o, ok := s.Get("o").(map[string]any); !ok || fmt.Sprint(o["a"]) != "[1 <nil>]" {
		t.Errorf("o = %#v", s.Get("o"))
	}
	if v, ok := s.Lookup("missing"); ok || v != nil || s.Get("missing") != nil || s.GetString("n") != "" {
		t.Error("missing keys and non-strings read as something")
	}
	if got := fmt.Sprint(s.Keys()); got != "[b f n o s]" || s.Len() != 5 {
		t.Errorf("Keys %s, Len %d", got, s.Len())
	}
	// Get returns a copy: changing it does not change the session.
	s.Get("o").(map[string]any)["a"] = "changed"
	if raw, _ := s.Raw("o"); string(raw) != `{"a":[1,null]}` || s.Changed() {
		t.Errorf("session changed through a Get result: %s", raw)
	}
}

func TestSessionChangeTracking(t *testing.T) {
	s := loadedSession(t, Values{"user": json.RawMessage(`"tom"`), "f": json.RawMessage(`1.5e-07`)})
	noChange := func(what string) {
		t.Helper()
		if s.Changed() {
			t.Fatalf("%s counted as a change", what)
		}
	}
	_ = s.Get("user")
	noChange("reading")
	must(t, s.Set("user", "tom"))
	noChange("setting the same string")
	must(t, s.Set("f", 1.5e-7))
	noChange("setting the same number written another way")
	s.Delete("missing")
	noChange("deleting a missing key")

	must(t, s.Set("user", "ann"))
	must(t, s.Set("user", "tom"))
	if !s.Changed() {
		t.Fatal("a change followed by a no-op must stay a change")
	}
}

func TestSessionSetRefusesWhatJSONCannotHold(t *testing.T) {
	s := loadedSession(t, nil)
	for _, bad := range []any{make(chan int), func() {}, json.RawMessage(`{"a":`)} {
		if err := s.Set("k", bad); err == nil {
			t.Errorf("Set(%T) succeeded", bad)
		}
	}
	if s.Len() != 0 || s.Changed() {
		t.Error("a failed Set changed the session")
	}
	must(t, s.Set("raw", json.RawMessage(` { "a" : 1 } `)))
	if raw, _ := s.Raw("raw"); string(raw) != `{"a":1}` {
		t.Errorf("raw stored as %s", raw)
	}
}

func TestSessionIsSafeForConcurrentUse(t *testing.T) {
	s := loadedSession(t, Values{"user": json.RawMessage(`"tom"`)})
	var wg sync.WaitGroup
	// 8 goroutines of 20 Sets, each keeping every second key: 81 keys,
	// well inside a cookie, so that no Set is refused for size.
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				key := fmt.Sprintf("g%d-%d", g, i)
				if err := s.Set(key, i); err != nil {
					t.Error(err)
					return
				}
				_ = s.Get("user")
				_ = s.Keys()
				if i%2 == 0 {
					if err := s.Delete(key); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
	if s.Len() != 1+8*10 {
		t.Errorf("Len %d, want %d", s.Len(), 1+8*10)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The ErrorHandler is the caller's code: it may use the session whose
// cookie it is told about, without deadlocking: when the cookie is refused,
// when Set refuses a value too large, and when Save finds the session too
// large.
func TestErrorHandlerMayUseTheSession(t *testing.T) {
	var s *Session
	calls := 0
	m, err := New(Config{Type: JWT, SecretKey: testSecret, ErrorHandler: func(context.Context, error) {
		calls++
		_ = s.Len()
		_ = s.Err()
	}})
	if err != nil {
		t.Fatal(err)
	}
	s = m.Load(context.Background(), "garbage")
	big := nearLimitJWT(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if s.Len() != 0 || s.Err() == nil {
			t.Error("a garbage cookie gave a session")
		}
		if err := s.Set("big", strings.Repeat("x", MaxCookieSize)); !errors.Is(err, ErrTooLarge) {
			t.Errorf("Set: %v, want ErrTooLarge", err)
		}
		s = m.Load(context.Background(), big)
		must(t, s.Delete("a"))
		if _, err := m.Save(s); !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrNotSaved) || errors.Is(err, ErrCookieRefused) {
			t.Errorf("Save: %v, want ErrNotSaved and ErrTooLarge", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("deadlock: the ErrorHandler could not use the session")
	}
	if calls != 3 {
		t.Errorf("ErrorHandler called %d times, want 3", calls)
	}
}

// nearLimitJWT returns a jwt under testSecret without "exp", as
// asgi-sessions writes them, holding "a" and a "fill" that brings the
// token within a few bytes of MaxCookieSize: readable, but too large to
// write back as a Set-Cookie line with its attributes and an "exp".
func nearLimitJWT(t *testing.T) string {
	t.Helper()
	c, err := NewCodec(Config{Type: JWT, SecretKey: testSecret, MaxAge: BrowserSession})
	if err != nil {
		t.Fatal(err)
	}
	for n := 2000; n < MaxCookieSize; n++ {
		v := Values{"a": json.RawMessage(`1`), "fill": json.RawMessage(`"` + strings.Repeat("x", n) + `"`)}
		token, err := c.Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		if len(token) > MaxCookieSize-10 && len(token) <= MaxCookieSize {
			return token
		}
	}
	t.Fatal("no jwt near the limit")
	return ""
}

func TestWeakSecrets(t *testing.T) {
	newWith := func(cfg Config) (string, error) {
		var logs bytes.Buffer
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		_, err := New(cfg)
		return logs.String(), err
	}
	// Fernet: 16 characters or fewer leave the whole encryption key
	// public: an error, unless the Config opts in (with the warning).
	for _, secret := range []string{"k", "sessions-secret", strings.Repeat("s", 16)} {
		if _, err := newWith(Config{Type: Fernet, SecretKey: secret}); !errors.Is(err, ErrInvalidSecret) {
			t.Errorf("fernet secret of %d characters: %v, want ErrInvalidSecret", len(secret), err)
		}
		if _, err := NewCodec(Config{Type: Fernet, SecretKey: secret}); !errors.Is(err, ErrInvalidSecret) {
			t.Errorf("NewCodec, fernet secret of %d characters: %v, want ErrInvalidSecret", len(secret), err)
		}
		logs, err := newWith(Config{Type: Fernet, SecretKey: secret, InsecureAllowPublicFernetKey: true})
		if err != nil || !strings.Contains(logs, "short fernet secret") || !strings.Contains(logs, "public_encryption_key_bytes=16") {
			t.Errorf("fernet secret of %d characters, allowed: %v, logged %q", len(secret), err, logs)
		}
	}
	// Rotating away from a short secret needs no opt-in: it only reads.
	if _, err := newWith(Config{Type: Fernet, SecretKey: testSecret, PreviousSecretKeys: []string{"sessions-secret"}}); err != nil {
		t.Errorf("a short previous fernet secret: %v", err)
	}
	for secret, warned := range map[string]bool{
		strings.Repeat("s", 17):                        true,
		strings.Repeat("s", 31):                        true,
		strings.Repeat("s", 32):                        false,
		"cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=": false,
	} {
		logs, err := newWith(Config{Type: Fernet, SecretKey: secret})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(logs, "short fernet secret"); got != warned {
			t.Errorf("fernet secret of %d characters: warned %v, want %v (%s)", len(secret), got, warned, logs)
		}
	}
	// JWT: shorter than 32 bytes, a warning, for every configured secret.
	for _, c := range []struct {
		secret, previous string
		warned           int
	}{
		{"k", "", 1},
		{strings.Repeat("j", 31), "", 1},
		{strings.Repeat("j", 32), "", 0},
		{strings.Repeat("j", 32), "old", 1},
		{"new", "old", 2},
	} {
		cfg := Config{Type: JWT, SecretKey: c.secret}
		if c.previous != "" {
			cfg.PreviousSecretKeys = []string{c.previous}
		}
		logs, err := newWith(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(logs, "short jwt secret"); got != c.warned {
			t.Errorf("jwt secret %d bytes, previous %d: %d warnings, want %d (%s)", len(c.secret), len(c.previous), got, c.warned, logs)
		}
	}
	if logs, err := newWith(Config{Type: Base64}); err != nil || logs != "" {
		t.Errorf("base64: %v, logged %q", err, logs)
	}
}

// An ErrorHandler that panics makes an ordinary panic, which net/http or a
// recovery middleware can catch, and leaves the session usable: not a
// fatal "unlock of unlocked mutex".
func TestPanickingErrorHandlerLeavesTheSessionUsable(t *testing.T) {
	m, err := New(Config{Type: JWT, SecretKey: testSecret, ErrorHandler: func(context.Context, error) { panic("handler bug") }})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Load(context.Background(), "garbage")
	func() {
		defer func() {
			if r := recover(); r != "handler bug" {
				t.Errorf("recovered %v", r)
			}
		}()
		s.Len()
	}()
	if s.Len() != 0 || s.Err() == nil {
		t.Error("the session after the panic is not the empty, refused one")
	}
	must(t, s.Set("user", "tom"))
}

// 1 and 1.0 are the same number but not the same value to a reader that
// wants an integer: storing one over the other is a change.
func TestIntegerOverFloatIsAChange(t *testing.T) {
	s := loadedSession(t, Values{"n": json.RawMessage(`1.0`), "f": json.RawMessage(`1.5e-07`)})
	must(t, s.Set("f", 1.5e-7))
	if s.Changed() {
		t.Fatal("the same float written another way counted as a change")
	}
	must(t, s.Set("n", 1))
	if !s.Changed() {
		t.Fatal("storing 1 over 1.0 was not a change")
	}
	if n, err := Get[int](s, "n"); err != nil || n != 1 {
		t.Errorf("Get[int] = %d, %v", n, err)
	}
}
