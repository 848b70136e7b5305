package cookiesession

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// DefaultFlashCategory is the category of a message added with
// [Session.Flash], as in Flask.
const DefaultFlashCategory = "message"

// A Flash is a message one request leaves for a later one, typically
// across a redirect (POST, then 303 See Other, then GET): "Saved.",
// "Wrong password.". Read them with [Session.Flashes], which removes them
// from the session.
type Flash struct {
	// Category groups messages ("message", "error", "info", ...), as the
	// category of Flask's flash().
	Category string
	// Message is the message as JSON: usually a string, but any value
	// encoding/json can marshal can be flashed. [Flash.Text] and
	// [FlashValue] decode it.
	Message json.RawMessage
}

// Text returns the message if it is a string, else its JSON text.
func (f Flash) Text() string {
	var s string
	if json.Unmarshal(f.Message, &s) == nil {
		return s
	}
	return string(f.Message)
}

// FlashValue decodes a flash's message into a T, as [Get] decodes a value.
func FlashValue[T any](f Flash) (T, error) {
	var v T
	if err := decodeExact(f.Message, &v); err != nil {
		var zero T
		return zero, fmt.Errorf("cookiesession: flash message does not fit %v: %w", reflect.TypeFor[T](), err)
	}
	return v, nil
}

// Flash adds message to the session in [DefaultFlashCategory], for a later
// request to read with [Session.Flashes]. See [Session.FlashCategory].
func (s *Session) Flash(message any) error {
	return s.FlashCategory(DefaultFlashCategory, message)
}

// FlashCategory adds message in category, after any messages already
// pending. The messages are kept in the cookie under the key "_flashes" as
// a list of [category, message] pairs, which is how Flask keeps them, so a
// Flask app sharing the session shows them too. It returns the errors of
// [Session.Set]: a message that cannot be marshalled, or one that would
// make the cookie too large ([ErrTooLarge]; the session keeps everything
// else), or a change after the headers went out ([ErrHeadersWritten]).
func (s *Session) FlashCategory(category string, message any) error {
	raw, err := s.m.marshal(message)
	if err == nil {
		err = s.addFlash(category, raw)
	}
	if errors.Is(err, ErrNotSaved) {
		s.m.report(s, err) // as Set reports them; outside s.mu
	}
	return err
}

// addFlash appends a marshalled message to the pending flashes, or
// refuses it.
func (s *Session) addFlash(category string, raw json.RawMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	pending, _ := parseFlashes(s.life.flashes)
	pending = append(pending, Flash{Category: category, Message: raw})
	list := s.m.appendFlashes(nil, pending)
	if err := s.refuseChange(); err != nil {
		return err
	}
	if err := s.checkFlashesFit(list); err != nil {
		return err
	}
	s.life.flashes = list
	s.version++
	return nil
}

// Flashes returns the pending flash messages of the given categories
// (every category when none is given), oldest first, and removes them from
// the session, so each is read exactly once: the response that reads them
// writes the cookie without them. Messages of other categories stay.
// Read them before the response's headers are written: afterwards the
// cookie can no longer change, so the messages returned stay in it (a
// later response returns them again) and the removal is reported as not
// saved ([ErrHeadersWritten]).
func (s *Session) Flashes(categories ...string) []Flash {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if len(s.life.flashes) == 0 {
		return nil
	}
	pending, _ := parseFlashes(s.life.flashes)
	var taken, kept []Flash
	for _, f := range pending {
		if len(categories) == 0 || contains(categories, f.Category) {
			taken = append(taken, f)
		} else {
			kept = append(kept, f)
		}
	}
	if len(taken) == 0 && len(kept) == len(pending) && len(pending) > 0 {
		return nil
	}
	var list json.RawMessage
	if len(kept) > 0 {
		list = s.m.appendFlashes(nil, kept)
	}
	s.life.flashes = list
	s.version++
	return taken
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseFlashes reads a "_flashes" list: pairs as [category, message]
// arrays, or as Flask's tagged tuples {" t": [category, message]}. An entry
// of another form is skipped; a value that is not a list gives none.
func parseFlashes(raw json.RawMessage) ([]Flash, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("cookiesession: %s is not a list: %w", flashKey, err)
	}
	out := make([]Flash, 0, len(entries))
	for _, e := range entries {
		var tuple struct {
			T []json.RawMessage `json:" t"`
		}
		var pair []json.RawMessage
		if bytes.HasPrefix(bytes.TrimSpace(e), []byte("{")) {
			if json.Unmarshal(e, &tuple) != nil {
				continue
			}
			pair = tuple.T
		} else if json.Unmarshal(e, &pair) != nil {
			continue
		}
		if len(pair) != 2 {
			continue
		}
		var category string
		if json.Unmarshal(pair[0], &category) != nil {
			continue
		}
		msg, err := marshalValue(pair[1])
		if err != nil {
			continue
		}
		out = append(out, Flash{Category: category, Message: msg})
	}
	return out, nil
}

// appendFlashes writes flashes as the session type keeps them: Flask's
// tagged tuples for Flask sessions, plain pairs for every other type.
func (m *Manager) appendFlashes(dst []byte, flashes []Flash) json.RawMessage {
	tuple := m.cfg.Type == Flask
	dst = append(dst, '[')
	for i, f := range flashes {
		if i > 0 {
			dst = append(dst, ',')
		}
		if tuple {
			dst = append(dst, `{" t":`...)
		}
		cat, _ := encodeValue(f.Category) // a string: no error, whatever its length (marshalValue refuses long ones)
		dst = append(dst, '[')
		dst = append(dst, cat...)
		dst = append(dst, ',')
		dst = append(dst, f.Message...)
		dst = append(dst, ']')
		if tuple {
			dst = append(dst, '}')
		}
	}
	return append(dst, ']')
}
