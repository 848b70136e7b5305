package cookiesession

// Edges of the write path without copies, the lazy read, log records and
// MigrateFrom between session types, each a test that fails on the defect
// it names.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fixedCodec is a migration source's Codec whose Decode gives the same
// values for any cookie value.
type fixedCodec struct{ v Values }

func (c fixedCodec) Encode(Values) (string, error) { return "", ErrMalformed }

func (c fixedCodec) Decode(string) (Values, error) {
	out := make(Values, len(c.v))
	for k, raw := range c.v {
		out[k] = append(json.RawMessage(nil), raw...)
	}
	return out, nil
}

// A migration source's Codec is the app's: its values are not known to be
// valid JSON. Sealing them as trusted writes whatever they hold into the
// signed cookie, here a member the app never set.
func TestMigratedCustomCodecValuesAreCheckedOnSave(t *testing.T) {
	secret := "0123456789abcdef0123456789abcdef"
	src := fixedCodec{Values{
		"user": json.RawMessage(`"tom"`),
		"note": json.RawMessage(`1,"admin":true`), // not one JSON value
	}}
	for _, typ := range []Type{JWT, Fernet, Base64} {
		t.Run(string(typ), func(t *testing.T) {
			m, err := New(Config{Type: typ, SecretKey: secret,
				MigrateFrom:  []Migration{{Codec: src, CookieName: "legacy"}},
				ErrorHandler: func(context.Context, error) {}})
			if err != nil {
				t.Fatal(err)
			}
			s := m.LoadHeader(context.Background(), "legacy=anything")
			got := s.GetString("user")
			if errors.Is(s.Err(), ErrMalformed) {
				return // the migrated cookie refused: nothing of it is written
			}
			if got != "tom" {
				t.Fatalf("the migrated session: user %q, err %v", got, s.Err())
			}
			cookies, err := m.SaveCookies(s)
			if err != nil {
				return // refused, as before the write path without copies
			}
			for _, c := range cookies {
				if c.Name != m.cfg.CookieName || c.Value == "" {
					continue
				}
				v, err := m.Codec().Decode(c.Value)
				if err != nil {
					t.Fatalf("the cookie written cannot be read back: %v", err)
				}
				if raw, ok := v["admin"]; ok {
					t.Fatalf("the cookie written carries a member no one set: admin=%s (all: %v)", raw, v)
				}
			}
		})
	}
}

// lockedBuffer is a buffer that log handlers on several goroutines write.
type lockedBuffer struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (l lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// The log record of a refused cookie names the request as it came in:
// method and path read at the start, not from a request the handler may
// rewrite (or be rewriting, on another goroutine) when the record is
// written.
func TestReportNamesTheRequestAsReceived(t *testing.T) {
	var mu sync.Mutex
	var logs bytes.Buffer
	m, err := New(Config{Type: JWT, SecretKey: "0123456789abcdef0123456789abcdef",
		Logger: slog.New(slog.NewTextHandler(lockedBuffer{&mu, &logs}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = "/rewritten" // as some routers do, in place
		FromRequest(r).Get("user")
	}))
	req := httptest.NewRequest("GET", "/original", nil)
	req.Header.Set("Cookie", "session=forged.forged.forged")
	h.ServeHTTP(httptest.NewRecorder(), req)
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "session cookie refused") {
		t.Fatalf("no record of the refused cookie: %s", logs.String())
	}
	if !strings.Contains(logs.String(), "path=/original") {
		t.Errorf("the record names another path than the request's: %s", logs.String())
	}
}

// Under the race detector: a goroutine of the handler reads the session
// (Session is safe for concurrent use) while the handler rewrites its
// request's path; the record of the refused cookie must not read the
// request then.
func TestReportDoesNotReadTheRequestLater(t *testing.T) {
	m, err := New(Config{Type: JWT, SecretKey: "0123456789abcdef0123456789abcdef",
		Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := FromRequest(r)
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.Get("user") // loads: the cookie is refused and reported
		}()
		r.URL.Path = "/rewritten"
		<-done
	}))
	req := httptest.NewRequest("GET", "/original", nil)
	req.Header.Set("Cookie", "session=forged.forged.forged")
	h.ServeHTTP(httptest.NewRecorder(), req)
}

// The record of a migrated session's dropped claim key goes through the
// default logger's flood guard, as every other record does: one client
// replaying an old cookie in a loop must not write a record per request.
func TestDroppedClaimKeyRecordsAreLimited(t *testing.T) {
	secret := "0123456789abcdef0123456789abcdef"
	old, err := NewCodec(Config{Type: Fernet, SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	token, err := old.Encode(Values{"user": json.RawMessage(`"tom"`), "exp": json.RawMessage(`5`)})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	m, err := New(Config{Type: JWT, SecretKey: secret,
		MigrateFrom: []Migration{{Type: Fernet, SecretKey: secret, CookieName: "old"}},
		Logger:      slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	const requests = 3 * logBurst
	for i := 0; i < requests; i++ {
		s := m.LoadHeader(context.Background(), "old="+token)
		if s.GetString("user") != "tom" {
			t.Fatalf("request %d: the migrated session is not read: %v", i, s.Err())
		}
	}
	if n := strings.Count(logs.String(), "key dropped"); n > logBurst {
		t.Errorf("%d requests with the same cookie wrote %d records (the guard allows %d a minute)", requests, n, logBurst)
	}
}

// MigrateFrom into jwt drops the app keys "exp" and "nbf" that the token's
// claims take; "iat" and "jti", which jwt sessions also keep for
// themselves, are read as the session's creation time and id instead: an
// app value of another type there refuses the migrated cookie (the user is
// logged out), which is what dropping "exp" and "nbf" set out to avoid.
func TestMigrationIntoJWTKeepsUsersWithIatOrJtiKeys(t *testing.T) {
	secret := "0123456789abcdef0123456789abcdef"
	old, err := NewCodec(Config{Type: Fernet, SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"iat", "jti"} {
		t.Run(key, func(t *testing.T) {
			token, err := old.Encode(Values{"user": json.RawMessage(`"tom"`), key: json.RawMessage(`{"by":"app"}`)})
			if err != nil {
				t.Fatal(err)
			}
			m, err := New(Config{Type: JWT, SecretKey: secret,
				MigrateFrom:  []Migration{{Type: Fernet, SecretKey: secret, CookieName: "old"}},
				Logger:       slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)),
				ErrorHandler: func(context.Context, error) {}})
			if err != nil {
				t.Fatal(err)
			}
			s := m.LoadHeader(context.Background(), "old="+token)
			if got := s.GetString("user"); got != "tom" {
				t.Errorf("the fernet session with an app key %q is refused: %v", key, s.Err())
			}
		})
	}
}

// A creation time before 1970 with a fraction of a second (a Config.Now
// that returns one) is written as "0.+" or the like: invalid JSON, sealed
// without a check, which the Manager then refuses as malformed. The
// write path before checked the object and reported the save as failed.
func TestCreationTimeBefore1970IsNotWrittenAsInvalidJSON(t *testing.T) {
	at := time.Unix(-1, 500*int64(time.Millisecond)) // 1969-12-31T23:59:59.5Z
	m, err := New(Config{Type: JWT, SecretKey: "0123456789abcdef0123456789abcdef",
		Lifetime: time.Hour, Now: func() time.Time { return at },
		ErrorHandler: func(context.Context, error) {}})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Load(context.Background(), "")
	if err := s.Set("user", "tom"); err != nil {
		t.Fatal(err)
	}
	c, err := m.Save(s)
	if err != nil {
		return // refused to write it: what the write path did before
	}
	if _, err := m.Codec().Decode(c.Value); errors.Is(err, ErrMalformed) {
		t.Fatalf("the cookie written is malformed: %v", err)
	}
}

// A flash category that marshalValue refuses (longer than MaxCookieSize)
// leaves appendFlashes an empty category: the list "[[,\"m\"]]" is not
// JSON. With MaxSize, FlashCategory cannot measure the cookie and accepts
// it; the unchecked seal then writes it into the cookie, which the
// Manager refuses on the next request (the session is lost). The write
// path before checked the object and the save failed instead.
func TestFlashCategoryRefusedByMarshalIsNotWrittenAsInvalidJSON(t *testing.T) {
	m, err := New(Config{Type: JWT, SecretKey: "0123456789abcdef0123456789abcdef",
		MaxSize: HardMaxSize, ErrorHandler: func(context.Context, error) {}})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Load(context.Background(), "")
	if err := s.Set("user", "tom"); err != nil {
		t.Fatal(err)
	}
	if err := s.FlashCategory(strings.Repeat("c", MaxCookieSize+1), "m"); err != nil {
		return // refused at once: nothing invalid can be written
	}
	cookies, err := m.SaveCookies(s)
	if err != nil {
		return // refused to write it: what the write path did before
	}
	header := ""
	for _, c := range cookies {
		header += c.Name + "=" + c.Value + "; "
	}
	next := m.LoadHeader(context.Background(), header)
	if next.GetString("user") != "tom" {
		t.Fatalf("the cookies written are refused: %v", next.Err())
	}
}

// Outside the change under review, same family as the claim keys: a
// session logged out (Session.Revoke) under a fernet Manager carries its
// id under "_cs_id"; a jwt Manager that migrates from it reads ids under
// "jti" only, so the revoked cookie is accepted again through
// MigrateFrom, with "_cs_id" among the app's values.
func TestRevokedSessionIsNotAcceptedThroughMigrationIntoJWT(t *testing.T) {
	secret := "0123456789abcdef0123456789abcdef"
	ctx := context.Background()
	list := NewMemoryRevocationList()
	fm, err := New(Config{Type: Fernet, SecretKey: secret, Revocation: list})
	if err != nil {
		t.Fatal(err)
	}
	s := fm.Load(ctx, "")
	if err := s.Set("user", "tom"); err != nil {
		t.Fatal(err)
	}
	c, err := fm.Save(s)
	if err != nil || c == nil {
		t.Fatalf("save: %v", err)
	}
	if err := fm.Load(ctx, c.Value).Revoke(); err != nil { // logout
		t.Fatal(err)
	}
	if err := fm.Load(ctx, c.Value).Err(); !errors.Is(err, ErrRevoked) {
		t.Fatalf("the fernet Manager accepts the revoked cookie: %v", err)
	}
	jm, err := New(Config{Type: JWT, SecretKey: secret, Revocation: list,
		MigrateFrom:  []Migration{{Type: Fernet, SecretKey: secret}},
		ErrorHandler: func(context.Context, error) {}})
	if err != nil {
		t.Fatal(err)
	}
	next := jm.LoadHeader(ctx, "session="+c.Value)
	if got := next.GetString("user"); got != "" {
		_, leaked := next.Raw("_cs_id")
		t.Errorf("the revoked cookie is accepted through the migration (user %q, _cs_id visible: %v)", got, leaked)
	}
}
