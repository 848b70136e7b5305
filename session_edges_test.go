package cookiesession_test

// Edges of a session's life: what reaches the ErrorHandler and when, what
// logout and Clear leave behind, and what Stats counts for them.

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
)

// unsureList is a RevocationList whose backend cannot tell: Revoked fails
// open with an error wrapping ErrRevocationUnavailable.
type unsureList struct{ cookiesession.RevocationList }

func (unsureList) Revoked(context.Context, string, string, time.Time) (bool, error) {
	return false, cookiesession.ErrRevocationUnavailable
}

// edgeCookieHeader returns a Cookie header carrying the cookies a response
// sets (not those it expires).
func edgeCookieHeader(cookies []*http.Cookie) string {
	var parts []string
	for _, c := range cookies {
		if c.MaxAge >= 0 {
			parts = append(parts, c.Name+"="+c.Value)
		}
	}
	return strings.Join(parts, "; ")
}

// edgeSession writes a session holding user under m and returns the Cookie
// header that carries it.
func edgeSession(t *testing.T, m *cookiesession.Manager, user string) string {
	t.Helper()
	s := m.LoadHeader(context.Background(), "")
	if err := s.Set("user", user); err != nil {
		t.Fatal(err)
	}
	cookies, err := m.SaveCookies(s)
	if err != nil || len(cookies) == 0 {
		t.Fatalf("SaveCookies: %v, %d cookies", err, len(cookies))
	}
	return edgeCookieHeader(cookies)
}

// An ErrorHandler that reads the session the error is about (to log its
// user, say) while the revocation list reports that it cannot tell must
// not deadlock: the list's error is reported once the session's lock is
// released.
func TestRevocationListErrorIsReportedOutsideTheSessionLock(t *testing.T) {
	list := cookiesession.NewMemoryRevocationList()
	cfg := cookiesession.Config{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, Revocation: list}
	writer, err := cookiesession.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cookie := edgeSession(t, writer, "tom")

	var mu sync.Mutex
	var current *cookiesession.Session
	var reported []error
	var seenUser []string
	cfg.Revocation = unsureList{list}
	cfg.ErrorHandler = func(ctx context.Context, err error) {
		mu.Lock()
		s := current
		mu.Unlock()
		user := s.GetString("user") // takes the session's lock
		mu.Lock()
		reported, seenUser = append(reported, err), append(seenUser, user)
		mu.Unlock()
	}
	m, err := cookiesession.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := m.LoadHeader(context.Background(), cookie)
	mu.Lock()
	current = s
	mu.Unlock()
	done := make(chan string, 1)
	go func() { done <- s.GetString("user") }()
	select {
	case user := <-done:
		if user != "tom" {
			t.Errorf("user %q, want tom (the list failed open)", user)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("deadlock: the revocation list's error was reported while the session's lock was held")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 1 || !errors.Is(reported[0], cookiesession.ErrRevocationUnavailable) {
		t.Fatalf("reported %v, want one error wrapping ErrRevocationUnavailable", reported)
	}
	if seenUser[0] != "tom" {
		t.Errorf("the ErrorHandler read user %q from the session, want tom", seenUser[0])
	}
}

// Clear empties the session, pending flash messages included: a logout
// that clears makes the browser drop the cookie, and a message left for
// the user who logged out is not shown to whoever logs in next. A message
// flashed after the Clear (the logout's "Goodbye") is kept.
func TestClearDropsPendingFlashes(t *testing.T) {
	for _, typ := range []cookiesession.Type{cookiesession.Base64, cookiesession.Fernet, cookiesession.Flask} {
		t.Run(string(typ), func(t *testing.T) {
			m, err := cookiesession.New(cookiesession.Config{Type: typ, SecretKey: sessiontest.Secret})
			if err != nil {
				t.Fatal(err)
			}
			s := m.LoadHeader(context.Background(), "")
			if err := s.Set("user", "ann"); err != nil {
				t.Fatal(err)
			}
			if err := s.Flash("Ann's new card number ends in 4242"); err != nil {
				t.Fatal(err)
			}
			cookies, err := m.SaveCookies(s)
			if err != nil {
				t.Fatal(err)
			}
			cookie := edgeCookieHeader(cookies)

			// Logout by Clear: the cookie is expired, not rewritten.
			s = m.LoadHeader(context.Background(), cookie)
			if err := s.Clear(); err != nil {
				t.Fatal(err)
			}
			cookies, err = m.SaveCookies(s)
			if err != nil {
				t.Fatal(err)
			}
			if len(cookies) != 1 || cookies[0].MaxAge >= 0 {
				t.Fatalf("Clear wrote %v, want the session's cookie expired", cookies)
			}
			if next := m.LoadHeader(context.Background(), edgeCookieHeader(cookies)); len(next.Flashes()) != 0 {
				t.Fatal("a flash pending before Clear reached the next session")
			}

			// A session holding nothing but a pending flash.
			s = m.LoadHeader(context.Background(), "")
			if err := s.Flash("for ann only"); err != nil {
				t.Fatal(err)
			}
			cookies, err = m.SaveCookies(s)
			if err != nil {
				t.Fatal(err)
			}
			s = m.LoadHeader(context.Background(), edgeCookieHeader(cookies))
			if err := s.Clear(); err != nil {
				t.Fatal(err)
			}
			if cookies, err = m.SaveCookies(s); err != nil || len(cookies) != 1 || cookies[0].MaxAge >= 0 {
				t.Fatalf("Clear of a session holding only a flash wrote %v (%v), want its cookie expired", cookies, err)
			}

			// Clear, then a flash for the page after the logout.
			s = m.LoadHeader(context.Background(), cookie)
			if err := s.Clear(); err != nil {
				t.Fatal(err)
			}
			if err := s.Flash("Goodbye"); err != nil {
				t.Fatal(err)
			}
			cookies, err = m.SaveCookies(s)
			if err != nil {
				t.Fatal(err)
			}
			next := m.LoadHeader(context.Background(), edgeCookieHeader(cookies))
			flashes := next.Flashes()
			if len(flashes) != 1 || flashes[0].Text() != "Goodbye" || next.GetString("user") != "" {
				t.Fatalf("after Clear and Flash: flashes %v, user %q; want only Goodbye", flashes, next.GetString("user"))
			}
		})
	}
}

// Revoke ends the session's life: what the same response stores afterwards
// (the logout's "Goodbye" flash, a new anonymous cart) starts a new session
// with a new id and a new creation time, instead of being written under the
// revoked id (refused on the next request, the flash lost) or under the
// old creation time (cut short by Lifetime).
func TestRevokeThenFlashStartsANewSession(t *testing.T) {
	for _, typ := range []cookiesession.Type{cookiesession.JWT, cookiesession.Fernet, cookiesession.Django} {
		t.Run(string(typ), func(t *testing.T) {
			clk := newClock()
			var reported []error
			m, err := cookiesession.New(cookiesession.Config{
				Type: typ, SecretKey: sessiontest.Secret, Now: clk.Now,
				MaxAge: 24 * time.Hour, Lifetime: time.Hour,
				Revocation:   cookiesession.NewMemoryRevocationList(),
				ErrorHandler: func(_ context.Context, err error) { reported = append(reported, err) },
			})
			if err != nil {
				t.Fatal(err)
			}
			loggedIn := edgeSession(t, m, "ann")
			clk.Advance(50 * time.Minute)

			s := m.LoadHeader(context.Background(), loggedIn)
			revokedID := s.ID()
			if err := s.Revoke(); err != nil {
				t.Fatal(err)
			}
			if err := s.Flash("Goodbye"); err != nil {
				t.Fatal(err)
			}
			cookies, err := m.SaveCookies(s)
			if err != nil {
				t.Fatal(err)
			}
			clk.Advance(20 * time.Minute) // 70 min after the login, 20 after the logout

			next := m.LoadHeader(context.Background(), edgeCookieHeader(cookies))
			if err := next.Err(); err != nil {
				t.Fatalf("the session written after Revoke was refused: %v", err)
			}
			flashes := next.Flashes()
			if len(flashes) != 1 || flashes[0].Text() != "Goodbye" || next.GetString("user") != "" {
				t.Fatalf("after Revoke and Flash: flashes %v, user %q; want only Goodbye", flashes, next.GetString("user"))
			}
			if id := next.ID(); id == "" || id == revokedID {
				t.Errorf("the new session's id is %q, the revoked one was %q", id, revokedID)
			}
			if replay := m.LoadHeader(context.Background(), loggedIn); !errors.Is(replay.Err(), cookiesession.ErrCookieRefused) || replay.GetString("user") != "" {
				t.Errorf("the revoked cookie replayed: err %v, user %q; want refused", replay.Err(), replay.GetString("user"))
			}
			if len(reported) != 1 { // the replay's refusal only
				t.Errorf("reported %v, want only the replay's refusal", reported)
			}
		})
	}
}

// Save refuses a session that needs several cookies (chunks to write, or
// to expire) without counting it as written and without dropping its
// changes: SaveCookies, called next, still saves them.
func TestSaveOfSeveralCookiesKeepsTheChanges(t *testing.T) {
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, MaxSize: cookiesession.DefaultMaxSize})
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 4000)
	s := m.LoadHeader(context.Background(), "")
	if err := s.Set("big", big); err != nil {
		t.Fatal(err)
	}
	if c, err := m.Save(s); c != nil || !errors.Is(err, cookiesession.ErrNotSaved) {
		t.Fatalf("Save of a chunked session: %v, %v; want an error wrapping ErrNotSaved", c, err)
	}
	st := m.Stats()
	if st.Written != 0 || st.NotSaved["error"] != 1 {
		t.Errorf("after the refused Save: written %d, not_saved.error %d; want 0 and 1", st.Written, st.NotSaved["error"])
	}
	if !s.Changed() {
		t.Error("the refused Save marked the changes saved")
	}
	cookies, err := m.SaveCookies(s)
	if err != nil || len(cookies) < 2 {
		t.Fatalf("SaveCookies after the refused Save: %d cookies, %v; want the chunks", len(cookies), err)
	}
	if st := m.Stats(); st.Written != 1 {
		t.Errorf("written %d after SaveCookies, want 1", st.Written)
	}
	chunked := edgeCookieHeader(cookies)
	if got := m.LoadHeader(context.Background(), chunked).GetString("big"); got != big {
		t.Fatalf("the chunks read back %d bytes, want %d", len(got), len(big))
	}

	// Clearing a chunked session expires every chunk: several cookies too.
	s = m.LoadHeader(context.Background(), chunked)
	if err := s.Clear(); err != nil {
		t.Fatal(err)
	}
	if c, err := m.Save(s); c != nil || !errors.Is(err, cookiesession.ErrNotSaved) {
		t.Fatalf("Save of a cleared chunked session: %v, %v; want an error wrapping ErrNotSaved", c, err)
	}
	if st := m.Stats(); st.Cleared != 0 {
		t.Errorf("cleared %d after the refused Save, want 0", st.Cleared)
	}
	expired, err := m.SaveCookies(s)
	if err != nil || len(expired) != len(cookies) {
		t.Fatalf("SaveCookies of the cleared session: %v, %v; want %d expired chunks", expired, err, len(cookies))
	}
	for _, c := range expired {
		if c.MaxAge >= 0 {
			t.Errorf("cookie %s not expired", c.Name)
		}
	}
	if st := m.Stats(); st.Cleared != 1 || st.NotSaved["error"] != 2 {
		t.Errorf("cleared %d, not_saved.error %d; want 1 and 2", st.Cleared, st.NotSaved["error"])
	}
}

// RevocationUserKey cannot be a key the package keeps for itself: such a
// key never holds the app's user, so RevokeUser would revoke nothing.
func TestRevocationUserKeyIsNotAReservedKey(t *testing.T) {
	for _, tt := range []struct {
		typ cookiesession.Type
		key string
		ok  bool
	}{
		{cookiesession.JWT, "_cs_id", true}, // jwt keeps the id in "jti"
		{cookiesession.JWT, "_cs_created", false},
		{cookiesession.JWT, "_flashes", false},
		{cookiesession.JWT, "jti", false},
		{cookiesession.JWT, "iat", false},
		{cookiesession.JWT, "exp", false},
		{cookiesession.JWT, "nbf", false},
		{cookiesession.Fernet, "_cs_id", false},
		{cookiesession.Flask, "_flashes", false},
		{cookiesession.JWT, "sub", true},
		{cookiesession.Fernet, "jti", true}, // an ordinary key outside jwt
		{cookiesession.Fernet, "", true},    // the default, "user"
	} {
		_, err := cookiesession.New(cookiesession.Config{
			Type: tt.typ, SecretKey: sessiontest.Secret,
			Revocation: cookiesession.NewMemoryRevocationList(), RevocationUserKey: tt.key,
		})
		if tt.ok != (err == nil) || (err != nil && !errors.Is(err, cookiesession.ErrInvalidConfig)) {
			t.Errorf("%s with RevocationUserKey %q: %v, want accepted: %v", tt.typ, tt.key, err, tt.ok)
		}
	}
}

// A base64 migration source would let any client in with a forged session
// (any user, a fresh creation time, no id) past every revocation, so New
// refuses it beside Revocation, as it refuses the base64 type itself.
func TestRevocationRefusesABase64MigrationSource(t *testing.T) {
	base64Source := []cookiesession.Migration{{Type: cookiesession.Base64, CookieName: "legacy"}}
	_, err := cookiesession.New(cookiesession.Config{
		Type: cookiesession.JWT, SecretKey: sessiontest.Secret,
		Revocation:  cookiesession.NewMemoryRevocationList(),
		MigrateFrom: base64Source,
	})
	if !errors.Is(err, cookiesession.ErrInvalidConfig) {
		t.Fatalf("Revocation with a base64 migration source: %v, want an error wrapping ErrInvalidConfig", err)
	}
	// Without revocation the migration stays possible.
	if _, err := cookiesession.New(cookiesession.Config{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, MigrateFrom: base64Source}); err != nil {
		t.Fatalf("a base64 migration source without revocation: %v", err)
	}
	// So does a signed source beside revocation.
	if _, err := cookiesession.New(cookiesession.Config{
		Type: cookiesession.JWT, SecretKey: sessiontest.Secret,
		Revocation:  cookiesession.NewMemoryRevocationList(),
		MigrateFrom: []cookiesession.Migration{{Type: cookiesession.Starlette, SecretKey: "the Python app's secret", CookieName: "legacy"}},
	}); err != nil {
		t.Fatalf("a signed migration source with revocation: %v", err)
	}
}

// Asking a migrated session for its id (which it gets on this response)
// keeps the re-issue counted as a migration, not as an upgrade.
func TestIDKeepsTheReissueCause(t *testing.T) {
	old, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Fernet, SecretKey: sessiontest.Secret, CookieName: "old"})
	if err != nil {
		t.Fatal(err)
	}
	legacy := edgeSession(t, old, "ann")
	m, err := cookiesession.New(cookiesession.Config{
		Type: cookiesession.JWT, SecretKey: sessiontest.Secret,
		Revocation:  cookiesession.NewMemoryRevocationList(),
		MigrateFrom: []cookiesession.Migration{{Type: cookiesession.Fernet, SecretKey: sessiontest.Secret, CookieName: "old"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := m.LoadHeader(context.Background(), legacy)
	if s.ID() == "" || s.GetString("user") != "ann" {
		t.Fatalf("migrated session: id %q, user %q", s.ID(), s.GetString("user"))
	}
	if _, err := m.SaveCookies(s); err != nil {
		t.Fatal(err)
	}
	if st := m.Stats(); st.Reissued["migration"] != 1 || st.Reissued["upgrade"] != 0 || st.Written != 1 {
		t.Errorf("reissued %v, written %d; want one migration", st.Reissued, st.Written)
	}
}

// Set refuses a value that would make a one-cookie session too large for
// its cookie also when the Manager reads a migration format: the change
// is refused while the handler can still act on it, not lost at the save.
func TestSetRefusesTooLargeWithAMigrationSource(t *testing.T) {
	for _, typ := range []cookiesession.Type{cookiesession.Base64, cookiesession.JWT, cookiesession.Fernet} {
		t.Run(string(typ), func(t *testing.T) {
			m, err := cookiesession.New(cookiesession.Config{
				Type: typ, SecretKey: sessiontest.Secret,
				MigrateFrom: []cookiesession.Migration{{Type: cookiesession.Starlette, SecretKey: "the Python app's secret", CookieName: "legacy"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			s := m.LoadHeader(context.Background(), "")
			if err := s.Set("user", "ann"); err != nil {
				t.Fatal(err)
			}
			err = s.Set("big", strings.Repeat("x", 3900))
			if !errors.Is(err, cookiesession.ErrTooLarge) || !errors.Is(err, cookiesession.ErrNotSaved) {
				t.Fatalf("Set of a value too large for the cookie: %v, want ErrNotSaved and ErrTooLarge", err)
			}
			cookies, err := m.SaveCookies(s)
			if err != nil || len(cookies) != 1 {
				t.Fatalf("SaveCookies: %v, %v; want the session without the refused value", cookies, err)
			}
			if next := m.LoadHeader(context.Background(), edgeCookieHeader(cookies)); next.GetString("user") != "ann" || next.Len() != 1 {
				t.Fatalf("read back %v", next.Keys())
			}
		})
	}
}

// A partitioned session of several chunks fits each chunk's Set-Cookie
// line, Partitioned attribute included, within MaxCookieSize: on Go 1.22,
// whose http.Cookie does not write the attribute, the package appends it,
// and the chunks must leave it room.
func TestPartitionedChunksLeaveRoomForTheAttribute(t *testing.T) {
	for _, typ := range []cookiesession.Type{cookiesession.Base64, cookiesession.IronSession} {
		t.Run(string(typ), func(t *testing.T) {
			cfg := cookiesession.Config{Type: typ, SecretKey: sessiontest.Secret, Secure: true, Partitioned: true}
			if typ != cookiesession.IronSession {
				cfg.MaxSize = cookiesession.HardMaxSize
			}
			m, err := cookiesession.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			big := strings.Repeat("x", 6000)
			s := m.LoadHeader(context.Background(), "")
			if err := s.Set("big", big); err != nil {
				t.Fatal(err)
			}
			cookies, err := m.SaveCookies(s)
			if err != nil || len(cookies) < 2 {
				t.Fatalf("SaveCookies: %d cookies, %v; want the chunks", len(cookies), err)
			}
			if got := m.LoadHeader(context.Background(), edgeCookieHeader(cookies)).GetString("big"); got != big {
				t.Fatalf("read back %d bytes, want %d", len(got), len(big))
			}
		})
	}
}

// clockedList is a RevocationList that forgets an entry once its expiry
// has passed on the test's clock, as a real list may.
type clockedList struct {
	now   func() time.Time
	mu    sync.Mutex
	users map[string][2]time.Time // before, expires
	ids   map[string]time.Time    // expires
}

func (l *clockedList) Revoked(_ context.Context, id, user string, created time.Time) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if exp, ok := l.ids[id]; ok && id != "" && !now.After(exp) {
		return true, nil
	}
	if e, ok := l.users[user]; ok && user != "" && !now.After(e[1]) && !created.After(e[0]) {
		return true, nil
	}
	return false, nil
}

func (l *clockedList) RevokeSession(_ context.Context, id string, expires time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ids[id] = expires
	return nil
}

func (l *clockedList) RevokeUser(_ context.Context, user string, before, expires time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.users[user] = [2]time.Time{before, expires}
	return nil
}

// A logout everywhere outlives the cookies of a migration source too: a
// source's cookie is accepted for the source's MaxAge, which may be
// longer than the Manager's own, so the revocation entry is kept that
// long, and a stolen old-format cookie replayed after the Manager's own
// MaxAge is still refused.
func TestRevokeUserOutlivesMigrationCookies(t *testing.T) {
	clk := newClock()
	legacyCfg := cookiesession.Config{Type: cookiesession.Starlette, SecretKey: "the Python app's secret", CookieName: "legacy", Now: clk.Now}
	python, err := cookiesession.New(legacyCfg)
	if err != nil {
		t.Fatal(err)
	}
	stolen := edgeSession(t, python, "ann") // 14-day cookie of the Python app

	list := &clockedList{now: clk.Now, users: map[string][2]time.Time{}, ids: map[string]time.Time{}}
	m, err := cookiesession.New(cookiesession.Config{
		Type: cookiesession.Fernet, SecretKey: sessiontest.Secret, Now: clk.Now,
		MaxAge:      time.Hour,
		Revocation:  list,
		MigrateFrom: []cookiesession.Migration{{Type: cookiesession.Starlette, SecretKey: legacyCfg.SecretKey, CookieName: "legacy"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Minute)
	if s := m.LoadHeader(context.Background(), stolen); s.GetString("user") != "ann" {
		t.Fatalf("the legacy cookie before the revocation: user %q, err %v", s.GetString("user"), s.Err())
	}
	if err := m.RevokeUser(context.Background(), "ann"); err != nil {
		t.Fatal(err)
	}
	for _, later := range []time.Duration{time.Minute, 3 * time.Hour, 13 * 24 * time.Hour} {
		clk.Advance(later)
		s := m.LoadHeader(context.Background(), stolen)
		if !errors.Is(s.Err(), cookiesession.ErrRevoked) || s.GetString("user") != "" {
			t.Fatalf("the legacy cookie replayed %v after the revocation: user %q, err %v; want ErrRevoked", later, s.GetString("user"), s.Err())
		}
	}
}

// Lifetime holds for a session read from a migration format that does not
// record its creation: the session is at least as old as the cookie's own
// write time, so a stolen old-format cookie is not good for a new Lifetime
// at every replay within the source's (longer) MaxAge.
func TestLifetimeHoldsForMigratedSessions(t *testing.T) {
	clk := newClock()
	legacyCfg := cookiesession.Config{Type: cookiesession.Starlette, SecretKey: "the Python app's secret", CookieName: "legacy", Now: clk.Now}
	python, err := cookiesession.New(legacyCfg)
	if err != nil {
		t.Fatal(err)
	}
	written := clk.Now()
	legacy := edgeSession(t, python, "ann") // 14-day cookie of the Python app

	m, err := cookiesession.New(cookiesession.Config{
		Type: cookiesession.Fernet, SecretKey: sessiontest.Secret, Now: clk.Now,
		Lifetime:     time.Hour,
		MigrateFrom:  []cookiesession.Migration{{Type: cookiesession.Starlette, SecretKey: legacyCfg.SecretKey, CookieName: "legacy"}},
		ErrorHandler: func(context.Context, error) {},
	})
	if err != nil {
		t.Fatal(err)
	}

	// Migrated within its Lifetime: the session keeps the legacy cookie's
	// date as its creation, so the Lifetime counts from there.
	clk.Advance(30 * time.Minute)
	s := m.LoadHeader(context.Background(), legacy)
	if s.GetString("user") != "ann" || !s.Created().Equal(written) {
		t.Fatalf("migrated at 30 min: user %q, created %v (err %v); want ann, created %v", s.GetString("user"), s.Created(), s.Err(), written)
	}
	cookies, err := m.SaveCookies(s)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(31 * time.Minute)
	if s := m.LoadHeader(context.Background(), edgeCookieHeader(cookies)); !errors.Is(s.Err(), cookiesession.ErrExpired) {
		t.Fatalf("the migrated session 61 min after the legacy cookie was written: user %q, err %v; want ErrExpired", s.GetString("user"), s.Err())
	}

	// The legacy cookie replayed past the Lifetime (within its own MaxAge).
	clk.Advance(24 * time.Hour)
	if s := m.LoadHeader(context.Background(), legacy); !errors.Is(s.Err(), cookiesession.ErrExpired) || s.GetString("user") != "" {
		t.Fatalf("the legacy cookie a day after it was written: user %q, err %v; want ErrExpired", s.GetString("user"), s.Err())
	}
}
