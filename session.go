package cookiesession

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"

	"github.com/cookiesession/cookiesession/internal/chunk"
	"github.com/cookiesession/cookiesession/internal/flasktag"
)

// A Session is the set of values kept in one request's session cookie: a
// JSON object. Get it in a handler with [FromRequest].
//
// The cookie is decoded the first time a method is called, not before, so
// a handler that never touches the session pays nothing for it. A cookie
// that cannot be decoded (forged, tampered with, expired, malformed) gives
// an empty session; [Session.Err] says why.
//
// A Session is safe for use by several goroutines of the same request.
// Changes are saved into the response's Set-Cookie header when the
// response's headers are written; see [Manager.Handler].
type Session struct {
	mu sync.Mutex

	// Where the cookie comes from, until it is loaded. req is also the
	// request of log records (none for sessions from Manager.Load).
	m          *Manager
	ctx        context.Context
	req        *http.Request // the cookie is read from it when non-nil
	source     string        // else from this Cookie header (LoadHeader) or cookie value (Load)
	path       string        // the request's path when the middleware began, for log records
	fromHeader bool          // source is a Cookie header, not a cookie value
	loaded     bool
	present    bool // the request carried a cookie of this name

	// The response's headers have been written (or the connection
	// hijacked): no change can be saved any more.
	headersWritten bool
	// eager turns off the reading of object, for tests: accept splits
	// every cookie at once.
	eager bool
	// sizeKnown: memberSum is up to date (see membersLen).
	sizeKnown bool
	// reissue is the cause to write the cookie again even if nothing
	// changed (rolling, rotation, migration, upgrade), or reissueNone.
	// (The flags and reissue share one word: a Session is part of every
	// request's one allocation, see requestState.)
	reissue reissueCause

	// The request's cookies of the session and its migration sources,
	// when the session may take several cookies (nil on the fast path).
	cookies []chunk.Cookie
	// What the session says of its own life (creation time, id, flash
	// messages), kept out of values.
	life lifeFacts

	// values are the session's values; nil while object holds them.
	values Values
	// object is the validated JSON object of the request's cookie, with
	// only plain keys (see memberScanner.next), while values is not built
	// yet: reads scan it (see rawLocked) and valuesLocked splits it, the
	// first time something needs the map. The keys the package hides (see
	// Manager.hidden) are in it, and are absent for every reader.
	object []byte
	err    error // why the request's cookie was refused
	// listErr is the revocation list's error met while reading (it could
	// not tell for sure), reported by load once s.mu is released.
	listErr error

	// The sum of memberLen over values, once sizeKnown: the size of the
	// session's JSON object, kept up to date so that Set need not
	// measure every value.
	memberSum int

	version uint32 // bumped on every change
	saved   uint32 // the version last saved into a cookie
}

// load decodes the request's cookie once. The caller holds s.mu.
func (s *Session) load() {
	if s.loaded {
		return
	}
	s.loaded = true
	s.m.read(s)
	if s.values == nil && s.object == nil {
		s.values = Values{}
	}
	if s.err != nil || s.listErr != nil {
		// Report without holding the lock: the ErrorHandler is the
		// caller's code, and the session is already in its final state.
		// Lock again even if the handler panics: every caller's deferred
		// Unlock expects the lock held.
		listErr, err := s.listErr, s.err
		s.listErr = nil
		func() {
			s.mu.Unlock()
			defer s.mu.Lock()
			if listErr != nil {
				s.m.report(s, listErr)
			}
			if err != nil {
				s.m.report(s, err)
			}
		}()
	}
}

// Get returns the value stored under key, or nil if there is none. Values
// come back as encoding/json decodes JSON into an interface, except that
// numbers are [json.Number], so that large integers stay exact: strings
// are string, booleans bool, objects map[string]any, arrays []any. The
// result is a copy: changing it does not change the session; call
// [Session.Set] for that.
func (s *Session) Get(key string) any {
	v, _ := s.Lookup(key)
	return v
}

// Lookup is like [Session.Get] but also reports whether key is present.
func (s *Session) Lookup(key string) (any, bool) {
	raw, ok := s.Raw(key)
	if !ok {
		return nil, false
	}
	v, err := unmarshalValue(raw)
	if err != nil { // unreachable: values are valid JSON
		return nil, false
	}
	return v, true
}

// GetString returns the string stored under key, or "" if there is none or
// the value is not a JSON string.
func (s *Session) GetString(key string) string {
	raw, ok := s.Raw(key)
	if !ok {
		return ""
	}
	if v, ok := plainString(raw); ok {
		return v
	}
	v, _ := unmarshalValue(raw)
	str, _ := v.(string)
	return str
}

// Raw returns the JSON text stored under key, for decoding into a type of
// the caller's choice with json.Unmarshal. The caller must not modify it.
//
// In Flask sessions the value comes back with Flask's tags resolved (see
// [Flask]): a datetime as an RFC 3339 string, bytes as standard base64, a
// tuple as an array, so that it decodes into time.Time, []byte or a slice.
func (s *Session) Raw(key string) (json.RawMessage, bool) {
	s.mu.Lock()
	raw, ok := s.rawLocked(key)
	s.mu.Unlock()
	if ok && s.m != nil && s.m.cfg.Type == Flask {
		if plain, err := flasktag.Untag(raw); err == nil {
			raw = plain
		}
	}
	return raw, ok
}

// rawLocked returns the stored JSON of key: from the map, or, while the
// map is not built, by scanning the object for it. The caller holds s.mu.
func (s *Session) rawLocked(key string) (json.RawMessage, bool) {
	s.load()
	if s.object != nil {
		if s.m.hidden(key) {
			return nil, false
		}
		return lookupMember(s.object, key)
	}
	raw, ok := s.values[key]
	return raw, ok
}

// valuesLocked returns the session's values, loading the session first,
// and building the map from the request's object (without the keys the
// package hides) the first time it is needed. The caller holds s.mu and
// may change the map it returns.
func (s *Session) valuesLocked() Values {
	s.load()
	if s.object != nil {
		s.values, s.object = s.m.valuesOf(s.object), nil
	}
	return s.values
}

// hasValuesLocked reports whether the session holds any value, without
// building the map. The caller holds s.mu.
func (s *Session) hasValuesLocked() bool {
	s.load()
	if s.object == nil {
		return len(s.values) > 0
	}
	sc := newMemberScanner(s.object)
	for {
		k, _, _, more := sc.next()
		if !more {
			return false
		}
		if kindOf(s.m, k) == visibleMember {
			return true
		}
	}
}

// Set stores value under key. The value is kept as JSON: it must be
// something encoding/json can marshal (a json.RawMessage is stored as it
// is, once checked), or Set returns an error and changes nothing. Setting a
// key to the value it already holds is not a change and writes no cookie.
//
// The cookie's JSON is always valid UTF-8, so that Python and Node read
// it: invalid UTF-8 in a string (anywhere in the value, map keys too) is
// replaced by U+FFFD, as encoding/json does; a json.RawMessage, or a
// json.Marshaler's output, holding invalid UTF-8 is refused with an error
// saying "invalid UTF-8" and where, and nothing changes.
//
// Set refuses a change that cannot be saved, returning an error and
// changing nothing:
//   - after the response's headers were written (or the connection
//     hijacked), an error wrapping [ErrNotSaved] and [ErrHeadersWritten];
//   - when the value would make the session's Set-Cookie line longer than
//     [MaxCookieSize], an error wrapping [ErrNotSaved] and [ErrTooLarge]
//     (the size is computed from the JSON's length, without encoding).
//     This check covers the base64, jwt and fernet sessions of one cookie
//     without Config.Compress; for the other types, and with
//     Config.MaxSize or Compress, the size is known only once the session
//     is encoded: a session too large is then not saved and the error is
//     reported when the response is written (the client keeps its
//     previous cookie);
//   - the empty key, an error wrapping [ErrInvalidKey]; a key the package
//     keeps ("_cs_created", "_cs_id", "_flashes"; in jwt sessions "iat",
//     "jti", "exp" and "nbf" instead of "_cs_id"), an error wrapping
//     [ErrReservedKey].
//
// The ErrNotSaved errors are also reported to [Config.ErrorHandler] (or
// logged), for handlers that do not check Set's error. A session that
// still cannot be saved when the response is written (a change made before
// a Hijack) is reported then.
func (s *Session) Set(key string, value any) error {
	if key == "" {
		return fmt.Errorf("%w: the empty string", ErrInvalidKey)
	}
	if err := s.m.checkKey(key); err != nil {
		return err
	}
	raw, err := s.m.marshal(value)
	if err != nil {
		if errors.Is(err, ErrNotSaved) {
			s.m.report(s, err) // a value too large for any cookie
		}
		return err
	}
	s.mu.Lock()
	values := s.valuesLocked()
	if old, ok := values[key]; ok && sameJSON(old, raw) {
		s.mu.Unlock()
		return nil
	}
	err = s.refuseChange()
	if err == nil {
		err = s.checkFits(key, raw)
	}
	if err == nil {
		s.resize(key, values[key], raw)
		values[key] = raw
		s.version++
	}
	s.mu.Unlock()
	if err != nil {
		s.m.report(s, err) // outside s.mu: the ErrorHandler may use s
	}
	return err
}

// Delete removes key. Removing a key that is not there is not a change.
// A session left empty expires the cookie, also when it was empty
// already because the request's cookie was refused: deleting from such a
// session makes the browser drop the refused cookie.
//
// After the response's headers were written (or the connection hijacked)
// Delete changes nothing and returns an error wrapping [ErrNotSaved] and
// [ErrHeadersWritten], also reported to [Config.ErrorHandler]; otherwise
// it returns nil.
func (s *Session) Delete(key string) error {
	s.mu.Lock()
	values := s.valuesLocked()
	old, ok := values[key]
	err := s.removal(ok)
	if err == nil && ok {
		s.resize(key, old, nil)
		delete(values, key)
	}
	s.mu.Unlock()
	if err != nil {
		s.m.report(s, err)
	}
	return err
}

// Clear removes every key and every pending flash message (see
// [Session.Flash]), so that nothing of the session reaches whoever uses
// the browser next; messages flashed after Clear are kept. A session left
// empty by Clear or Delete makes the browser drop the cookie (Max-Age=0)
// rather than keep an empty one;
// so does clearing a session whose request carried a cookie of its name
// that was refused (see [Session.Err]), so that logging out also removes a
// bad cookie.
//
// After the response's headers were written (or the connection hijacked)
// Clear changes nothing and returns an error wrapping [ErrNotSaved] and
// [ErrHeadersWritten], also reported to [Config.ErrorHandler]; otherwise
// it returns nil.
func (s *Session) Clear() error {
	s.mu.Lock()
	some := s.hasValuesLocked() || len(s.life.flashes) > 0
	err := s.removal(some)
	if err == nil && some {
		s.values, s.object = Values{}, nil
		s.life.flashes = nil
		s.memberSum, s.sizeKnown = 0, true
	}
	s.mu.Unlock()
	if err != nil {
		s.m.report(s, err)
	}
	return err
}

// removal counts a Delete or Clear as a change, or refuses it, before the
// caller removes the keys: when some keys are to go, and also when none
// are but the session is empty and its request carried a cookie (refused,
// or holding no keys) that no pending change expires yet, so that the
// cookie is expired. The caller holds s.mu.
func (s *Session) removal(some bool) error {
	expire := !some && !s.hasValuesLocked() && s.present && s.version == s.saved
	if !some && !expire {
		return nil
	}
	if err := s.refuseChange(); err != nil {
		return err
	}
	s.version++
	return nil
}

// refuseChange returns the error for a change that can no longer be
// saved, or nil. The caller holds s.mu.
func (s *Session) refuseChange() error {
	if s.headersWritten {
		return onSide(ErrNotSaved, fmt.Errorf("%w: change refused", ErrHeadersWritten))
	}
	return nil
}

// markHeadersWritten records that the response's headers are going out
// (or the connection was hijacked): from now on a change cannot be saved,
// and Set, Delete and Clear refuse it. The middleware's writer calls it.
func (s *Session) markHeadersWritten() {
	s.mu.Lock()
	s.headersWritten = true
	s.mu.Unlock()
}

// Keys returns the session's keys in sorted order.
func (s *Session) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	values := s.valuesLocked()
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Len returns the number of keys in the session.
func (s *Session) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.valuesLocked())
}

// Err returns why the request's session cookie was refused, or nil if it
// was read (or there was none): a handler tells a refused cookie (Err is
// not nil, the session is empty) from a missing one (Err is nil, the
// session is empty). The error wraps [ErrCookieRefused] and one of the
// sentinels that say why, such as [ErrSignature] or [ErrExpired].
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return s.err
}

// Changed reports whether the session holds changes not yet saved into a
// cookie.
func (s *Session) Changed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version != s.saved
}
