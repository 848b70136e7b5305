package cookiesession

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cookiesession/cookiesession/internal/chunk"
	"github.com/cookiesession/cookiesession/internal/flasktag"
)

// The session's life as the app drives it: renewal at login, its id, and
// revocation (logout, logout everywhere).

// Renew starts a new life for the session: a new creation time (from
// which Config.Lifetime counts) and, with Config.Revocation, a new id, the
// old id being revoked. The values stay. Call it when a user logs in and
// when their privileges change, so that a session id or cookie the client
// held before (one an attacker may have planted: session fixation) does
// not carry over. The cookie is written on this response.
//
// It returns an error wrapping ErrHeadersWritten after the response's
// headers were written, and the revocation list's error if the old id
// could not be revoked (the session is renewed all the same).
func (s *Session) Renew() error {
	s.mu.Lock()
	s.load()
	if err := s.refuseChange(); err != nil {
		s.mu.Unlock()
		s.m.report(s, err)
		return err
	}
	old := s.life.id
	s.life.created, s.life.id = time.Time{}, ""
	s.version++
	s.mu.Unlock()
	if old != "" {
		return s.m.revokeID(s.ctx, old)
	}
	return nil
}

// ID returns the session's id: 128 random bits in base64url, carried in
// the cookie (jwt: the "jti" claim; every other type: the key "_cs_id")
// when Config.Revocation is set. A session without one (a new session, or
// one written before revocation was turned on) is given one, written with
// the cookie on this response (if the response's headers are not written
// yet). Without Config.Revocation it returns "": sessions carry no id then.
func (s *Session) ID() string {
	if s.m.cfg.Revocation == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.life.id == "" {
		id, err := newSessionID()
		if err != nil {
			return ""
		}
		s.life.id = id
		if s.hasValuesLocked() && !s.headersWritten && s.reissue == reissueNone {
			s.reissue = reissueUpgrade // a cause already due keeps its name
		}
	}
	return s.life.id
}

// Created returns when the session was created (its first save, or its
// last Renew), or the zero time for a session not saved yet or written by
// a library that does not record it.
func (s *Session) Created() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return s.life.created
}

// Revoke ends the session: with Config.Revocation its id is revoked, so
// that a copy of the cookie replayed later is refused (ErrRevoked) on every
// server that shares the list, and the session is cleared, so that the
// browser drops its cookie. Without Config.Revocation it only clears:
// a copied cookie then stays valid until it expires. Call it at logout.
// A session read from a cookie written before revocation was turned on
// carries no id yet, so a copy of that cookie is not refused by Revoke;
// [Manager.RevokeUser] covers such cookies, as every session of the user
// created until then.
// Whatever the response stores after Revoke (a flash message saying
// goodbye) starts a new session, with a new creation time and id.
//
// Errors: those of [Session.Clear], and the revocation list's when the
// revocation was not recorded (the session is cleared all the same).
func (s *Session) Revoke() error {
	s.mu.Lock()
	s.load()
	id := s.life.id
	s.mu.Unlock()
	var err error
	if id != "" {
		err = s.m.revokeID(s.ctx, id)
	}
	clearErr := s.Clear()
	if clearErr == nil {
		s.mu.Lock()
		s.life.created, s.life.id = time.Time{}, ""
		s.mu.Unlock()
	}
	return errors.Join(clearErr, err)
}

// RevokeUser revokes every session of user created until now, on every
// server that shares the revocation list ("log out everywhere", after a
// password change): a session names its user under
// Config.RevocationUserKey. Sessions created later, such as the user's
// next login, are not affected. It returns an error wrapping
// ErrInvalidConfig without Config.Revocation.
func (m *Manager) RevokeUser(ctx context.Context, user string) error {
	list := m.cfg.Revocation
	if list == nil {
		return fmt.Errorf("%w: RevokeUser needs Config.Revocation", ErrInvalidConfig)
	}
	now := m.cfg.Now()
	return list.RevokeUser(ctx, user, now, m.revocationExpiry(now))
}

// revokeID revokes one session id, if revocation is on.
func (m *Manager) revokeID(ctx context.Context, id string) error {
	list := m.cfg.Revocation
	if list == nil {
		return nil
	}
	now := m.cfg.Now()
	return list.RevokeSession(ctx, id, m.revocationExpiry(now))
}

// revocationExpiry returns how long an entry revoked at now must be
// kept: until every cookie it covers would be refused anyway. A cookie
// written at now at the latest expires MaxAge later (plus the clock skew
// allowed), and no session outlives its Lifetime; with no server-side
// expiry (BrowserSession, cookie-session), Lifetime alone bounds it. A
// migration source's cookie is accepted for the source's MaxAge, and one
// that carries no creation time is not bounded by Lifetime: the entry is
// kept for the longest of those too.
//
// New refuses Revocation without such a bound, so keep is never zero.
func (m *Manager) revocationExpiry(now time.Time) time.Time {
	keep := m.cfg.MaxAge
	if keep <= 0 || m.cfg.Type == CookieSession {
		keep = m.cfg.Lifetime
	} else if m.cfg.Lifetime > 0 {
		keep = min(keep, m.cfg.Lifetime)
	}
	for i := range m.migrations {
		keep = max(keep, m.migrations[i].maxAge)
	}
	return now.Add(keep + 2*MaxClockSkew)
}

// Stats returns a snapshot of the Manager's counters; see [Stats].
func (m *Manager) Stats() Stats { return m.stats.snapshot() }

// marshal renders a value to store: as the session type writes values
// (Flask's tagged JSON for Flask sessions, plain JSON otherwise).
func (m *Manager) marshal(value any) (json.RawMessage, error) {
	if m == nil {
		return marshalValue(value)
	}
	if m != nil && m.cfg.Type == Flask {
		if _, raw := value.(json.RawMessage); !raw {
			tagged, err := flasktag.Tag(value)
			if err != nil {
				return nil, fmt.Errorf("cookiesession: value cannot be stored as JSON: %w", err)
			}
			value = tagged
		}
	}
	return marshalValueLimit(value, m.valueLimit())
}

// valueLimit is the longest value text Set takes before any work: what
// the session's cookies can carry at most (one cookie, MaxSize across
// chunks, or iron-session's four chunks), or with Compress the most a
// compressed cookie may expand to (the envelope's 64 KiB), since a long
// value may compress well. The session's encoded size is checked after,
// in any case.
func (m *Manager) valueLimit() int {
	switch {
	case m == nil:
		return MaxCookieSize
	case m.cfg.Compress:
		return compressedLimit
	case m.cfg.Type == IronSession:
		return chunk.IronMaxSize
	}
	return m.cfg.maxValueSize()
}
