package cookiesession

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"sync"
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

	// Where the cookie comes from, until it is loaded.
	m       *Manager
	ctx     context.Context
	req     *http.Request // the cookie is read from it when non-nil
	value   string        // otherwise, this is the cookie value
	loaded  bool
	present bool // the request carried a cookie of this name

	values  Values
	err     error  // why the request's cookie was refused
	version uint64 // bumped on every change
	saved   uint64 // the version last saved into a cookie
}

// load decodes the request's cookie once. The caller holds s.mu.
func (s *Session) load() {
	if s.loaded {
		return
	}
	s.loaded = true
	if s.req != nil {
		s.values, s.present, s.err = s.m.decodeRequest(s.req)
		s.req = nil
	} else if s.value != "" {
		s.present = true
		s.values, s.err = s.m.decodeValue(s.value)
		s.value = ""
	}
	if s.values == nil {
		s.values = Values{}
	}
	if s.err != nil {
		// Report without holding the lock: the ErrorHandler is the
		// caller's code, and the session is already in its final state.
		// Lock again even if the handler panics: every caller's deferred
		// Unlock expects the lock held.
		func() {
			s.mu.Unlock()
			defer s.mu.Lock()
			s.m.report(s.ctx, s.err, true)
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
func (s *Session) Raw(key string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	raw, ok := s.values[key]
	return raw, ok
}

// Set stores value under key. The value is kept as JSON: it must be
// something encoding/json can marshal (a json.RawMessage is stored as it
// is, once checked), or Set returns an error and changes nothing. Setting a
// key to the value it already holds is not a change and writes no cookie.
func (s *Session) Set(key string, value any) error {
	if err := s.m.checkKey(key); err != nil {
		return err
	}
	raw, err := marshalValue(value)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if old, ok := s.values[key]; ok && sameJSON(old, raw) {
		return nil
	}
	s.values[key] = raw
	s.version++
	return nil
}

// Delete removes key. Removing a key that is not there is not a change.
func (s *Session) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if _, ok := s.values[key]; ok {
		delete(s.values, key)
		s.version++
	}
}

// Clear removes every key. A session left empty by Clear or Delete makes
// the browser drop the cookie (Max-Age=0) rather than keep an empty one.
func (s *Session) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if len(s.values) > 0 {
		s.values = Values{}
		s.version++
	}
}

// Keys returns the session's keys in sorted order.
func (s *Session) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	keys := make([]string, 0, len(s.values))
	for k := range s.values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Len returns the number of keys in the session.
func (s *Session) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	return len(s.values)
}

// Err returns why the request's session cookie was refused, or nil if it
// was read (or there was none). The error wraps one of the package's
// sentinel errors, such as [ErrSignature] or [ErrExpired].
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
