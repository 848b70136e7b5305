package cookiesession

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

// The lifecycle of a session: whether a decoded cookie is still good, and
// whether to write it again. Every rule lives in judge, in the order the
// documentation of Config gives them; the formats only report what they
// found (format.Meta) and the session's reserved keys.

// Reserved session keys. They travel in the cookie beside the app's
// values, are refused by Session.Set (ErrReservedKey) and hidden from
// Session.Get, Keys and Len. A Python or Node app sharing the session sees
// them as ordinary keys.
const (
	// createdKey holds when the session was created (its login, or its
	// last Renew), as seconds since the Unix epoch with up to three
	// decimals, in sessions whose Manager has a Lifetime or a revocation
	// list. jwt sessions always carry it in whole seconds as the
	// registered "iat" claim too.
	createdKey = "_cs_created"
	// idKey holds the session's random id when Config.Revocation is set.
	// jwt sessions use the registered "jti" claim instead.
	idKey = "_cs_id"
	// flashKey holds the pending flash messages, as a list of
	// [category, message] pairs: the key and form Flask uses.
	flashKey = "_flashes"
)

// RollingShare is the part of MaxAge that must have passed since a cookie
// was written before [Config.Rolling] writes it again: a tenth. A user
// active at least once every nine tenths of MaxAge is never logged out by
// MaxAge, and an active user costs at most about ten re-issued cookies per
// MaxAge, not one per request.
const RollingShare = 10

// reservedKeys returns the creation-time and id keys of the session type.
func (m *Manager) reservedKeys() (created, id string) {
	return reservedKeysOf(m.cfg.Type)
}

// reservedKeysOf returns the creation-time and id keys of sessions of
// type typ: jwt sessions keep their id in the registered "jti" claim.
func reservedKeysOf(typ Type) (created, id string) {
	if typ == JWT {
		return createdKey, "jti"
	}
	return createdKey, idKey
}

// recordsCreation reports whether sessions carry their creation time: jwt
// sessions always ("iat"), other types when a Lifetime or a revocation
// list needs it, so that by default a base64 or fernet cookie is exactly
// what asgi-sessions writes.
func (m *Manager) recordsCreation() bool {
	return m.cfg.Type == JWT || m.cfg.Lifetime > 0 || m.cfg.Revocation != nil
}

// lifeFacts are what a session carries about its own life, besides its
// values.
type lifeFacts struct {
	created time.Time // zero: the cookie carries no creation time
	id      string    // "": the cookie carries no id
	flashes json.RawMessage
}

// takeReserved moves the reserved keys of sessions of type typ out of v
// into lifeFacts (see lifeOf): the Manager's own type, or a migration
// source's, whose cookies keep them under that type's names.
func takeReserved(v Values, typ Type) (lifeFacts, error) {
	createdName, idName := reservedKeysOf(typ)
	r := reservedMembers{
		created: memberOf(v, createdName),
		iat:     memberOf(v, "iat"),
		id:      memberOf(v, idName),
		flashes: memberOf(v, flashKey),
	}
	f, err := lifeOf(&r, typ)
	if err != nil {
		return f, err
	}
	// Deleting a key that is not there costs a lookup: only those found.
	if r.created.ok {
		delete(v, createdName)
	}
	if r.iat.ok && typ == JWT {
		delete(v, "iat")
	}
	if r.id.ok {
		delete(v, idName)
	}
	if r.flashes.ok {
		delete(v, flashKey)
	}
	return f, nil
}

// lifeOf reads the reserved keys of a session object of type typ into
// lifeFacts. A reserved key of the wrong type makes the cookie malformed:
// only this package writes them, and a signed cookie with a bad one was
// not written by it. "iat" counts in jwt sessions only.
func lifeOf(r *reservedMembers, typ Type) (lifeFacts, error) {
	var f lifeFacts
	createdName, idName := reservedKeysOf(typ)
	if r.created.ok {
		t, err := parseNumericDate(r.created.raw)
		if err != nil {
			return f, fmt.Errorf("%w: session creation time %s: %v", ErrMalformed, createdName, err)
		}
		f.created = t
	}
	if r.iat.ok && typ == JWT {
		t, err := parseNumericDate(r.iat.raw)
		if err != nil {
			return f, fmt.Errorf("%w: jwt iat: %v", ErrMalformed, err)
		}
		if f.created.IsZero() {
			f.created = t
		}
	}
	if r.id.ok {
		id, ok := plainString(r.id.raw)
		if !ok || id == "" || len(id) > 128 {
			return f, fmt.Errorf("%w: session id %s is not a plain string", ErrMalformed, idName)
		}
		f.id = id
	}
	if r.flashes.ok {
		f.flashes = r.flashes.raw
	}
	return f, nil
}

// reservedFields appends to dst the reserved members of f to write beside
// the session's values: its creation time (when Lifetime or revocation
// needs it; "iat" in whole seconds for jwt), its id and its flash
// messages. Dates and ids are written into the members' own text, so
// that dst can live on the caller's stack.
func (m *Manager) reservedFields(f lifeFacts, dst []member) []member {
	createdName, idName := m.reservedKeys()
	if !f.created.IsZero() {
		if m.cfg.Lifetime > 0 || m.cfg.Revocation != nil {
			e := member{key: createdName}
			e.size = len(appendNumericDate(e.text[:0], f.created)) // at most 16 bytes: f.created is before 1e11
			dst = append(dst, e)
		}
		if m.cfg.Type == JWT {
			e := member{key: "iat"}
			e.size = len(strconv.AppendInt(e.text[:0], f.created.Unix(), 10))
			dst = append(dst, e)
		}
	}
	if f.id != "" {
		// An id is a plain JSON string (takeReserved refuses any other),
		// so its quoted text is the JSON it was read from.
		e := member{key: idName}
		if len(f.id)+2 <= len(e.text) {
			e.text[0] = '"'
			copy(e.text[1:], f.id)
			e.text[len(f.id)+1] = '"'
			e.size = len(f.id) + 2
		} else {
			e.raw = json.RawMessage(`"` + f.id + `"`)
		}
		dst = append(dst, e)
	}
	if len(f.flashes) > 0 {
		dst = append(dst, member{key: flashKey, raw: f.flashes})
	}
	return dst
}

// parseNumericDate reads seconds since the Unix epoch, with a fraction
// (kept to the millisecond).
func parseNumericDate(raw json.RawMessage) (time.Time, error) {
	if t, ok := decimalDate(raw); ok {
		return t, nil // what the package writes, read exactly without floats
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return time.Time{}, fmt.Errorf("not a date in seconds: %q", truncate(string(raw), 40))
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1000))*int64(time.Millisecond)), nil
}

// decimalDate reads the dates the package writes: 1 to 11 digits of
// seconds since the Unix epoch, optionally a point and 1 to 3 digits of
// fraction, as the exact millisecond they name. Anything else reports
// false, for strconv.ParseFloat to read.
func decimalDate(raw []byte) (time.Time, bool) {
	var sec, ms int64
	i := 0
	for ; i < len(raw) && i < 12 && '0' <= raw[i] && raw[i] <= '9'; i++ {
		sec = sec*10 + int64(raw[i]-'0')
	}
	if i == 0 || i > 11 || i > 1 && raw[0] == '0' {
		return time.Time{}, false
	}
	if i < len(raw) {
		if raw[i] != '.' || len(raw)-i-1 < 1 || len(raw)-i-1 > 3 {
			return time.Time{}, false
		}
		scale := int64(100)
		for _, c := range raw[i+1:] {
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			ms += int64(c-'0') * scale
			scale /= 10
		}
	}
	return time.Unix(sec, ms*int64(time.Millisecond)), true
}

// appendNumericDate appends t as seconds since the Unix epoch with
// millisecond precision, trailing zeros dropped (1700000000.25).
func appendNumericDate(dst []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	sec, frac := ms/1000, ms%1000
	if frac < 0 { // before 1970: seconds rounded down, a positive fraction
		sec, frac = sec-1, frac+1000
	}
	dst = strconv.AppendInt(dst, sec, 10)
	if frac == 0 {
		return dst
	}
	dst = append(dst, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	for dst[len(dst)-1] == '0' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// truncate shortens s to at most n bytes, for error messages.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// sessionIDLen is the length of a session id: 16 bytes in unpadded
// base64url.
const sessionIDLen = 22

// newSessionID returns 128 random bits, base64url without padding.
func newSessionID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("cookiesession: session id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// verdict is judge's answer for one decoded cookie.
type verdict struct {
	err     error        // non-nil: refuse the cookie
	reissue reissueCause // reissueNone or the cause to write it again
	created time.Time    // for a session that carries no creation time: the one to keep
}

// judge decides whether a cookie that its format authenticated is still
// good, and whether to write it again, from what the format found (meta),
// what the session says of itself (life), the user it names, where it
// came from (a migration source, with its own maxAge) and the clock. The
// rules, in order:
//
//  1. The cookie's dates (judgeDates): not written in the future, not
//     past its own expiry, not written more than MaxAge ago. A cookie
//     written under a larger MaxAge is judged by its creation time and
//     written again under the current one.
//  2. With a Lifetime: a session created more than Lifetime ago is
//     expired, however active; one created in the future beyond
//     MaxClockSkew is not valid yet. A session without a creation time
//     (written by another library, or before Lifetime was set) is at
//     least as old as its cookie: it is judged, and kept, as created when
//     the cookie was written if the cookie says, else given one now.
//  3. With a revocation list: a revoked session is refused (ErrRevoked).
//     A session without an id is given one.
//  4. Otherwise it is good, and written again when it came from a
//     migration format, was read with a previous key, needs a creation
//     time or an id, or (Rolling) was written at least MaxAge/RollingShare
//     ago.
func (m *Manager) judge(ctx context.Context, s *Session, meta format.Meta, life lifeFacts, user string, maxAge time.Duration, migrated bool, derive deriveMode) verdict {
	cfg := &m.cfg
	now := cfg.Now()
	reissue := reissueNone
	written, err := judgeDates(meta, life.created, maxAge, now, derive)
	if err != nil {
		return verdict{err: err}
	}
	if derive == deriveStrict && written.IsZero() && !meta.Expires.IsZero() && maxAge > 0 {
		reissue = reissueUpgrade // written under a larger MaxAge
	}
	var keep time.Time
	if cfg.Lifetime > 0 {
		created := life.created
		if created.IsZero() {
			// Not recorded: the session is at least as old as its cookie
			// (a stolen old-format cookie must not get a new Lifetime at
			// every replay). The revocation check below still sees no
			// creation time, which every logout-everywhere covers.
			created, keep = written, written
			reissue = reissueUpgrade
		}
		switch {
		case created.IsZero():
		case created.After(now.Add(MaxClockSkew)):
			return verdict{err: fmt.Errorf("%w: the session's creation time lies %v in the future", ErrNotYetValid, created.Sub(now).Round(time.Second))}
		case now.Sub(created) > cfg.Lifetime:
			return verdict{err: fmt.Errorf("%w: the session was created %v ago, its Lifetime is %v", ErrExpired, now.Sub(created).Round(time.Second), cfg.Lifetime)}
		}
	}
	if list := cfg.Revocation; list != nil {
		revoked, err := list.Revoked(ctx, life.id, user, life.created)
		if revoked {
			if err != nil {
				return verdict{err: fmt.Errorf("%w: %w", ErrRevoked, err)}
			}
			return verdict{err: fmt.Errorf("%w: the session or its user was logged out", ErrRevoked)}
		}
		if err != nil {
			// Reported by Session.load once s.mu is released: the
			// ErrorHandler may use the session.
			s.listErr = fmt.Errorf("cookiesession: revocation list: %w", err)
		}
		if life.id == "" {
			reissue = reissueUpgrade
		}
	}
	switch {
	case migrated:
		reissue = reissueMigration
	case meta.Key > 0:
		reissue = reissueRotation
	case reissue != reissueNone:
	case cfg.Rolling && maxAge > 0 && !written.IsZero() && now.Sub(written) >= maxAge/RollingShare:
		reissue = reissueRolling
	}
	return verdict{reissue: reissue, created: keep}
}
