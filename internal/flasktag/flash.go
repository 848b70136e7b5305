package flasktag

import (
	"encoding/json"
	"fmt"

	"github.com/cookiesession/cookiesession/internal/format"
)

// FlashesKey is the session key under which Flask keeps flashed messages.
const FlashesKey = "_flashes"

// DefaultCategory is flask.flash's default category.
const DefaultCategory = "message"

// A Flash is one flashed message, as flask.flash(message, category) stores
// it: the tuple (category, message).
type Flash struct {
	Category string
	Message  string
}

// Flashes reads the value of the "_flashes" key as Flask stores it, a list
// of (category, message) tuples: [{" t": ["message", "Saved"]}, ...]. A
// Markup message ({" m": "..."}) gives its text. An absent value (empty
// raw or null) is no flashes. Anything else is an error wrapping
// format.ErrMalformed.
func Flashes(raw json.RawMessage) ([]Flash, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var list []map[string][]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("flasktag: %w: %s is not a list of tuples: %v", format.ErrMalformed, FlashesKey, err)
	}
	var out []Flash
	for i, item := range list {
		pair, ok := item[TagTuple]
		if len(item) != 1 || !ok || len(pair) != 2 {
			return nil, fmt.Errorf("flasktag: %w: %s[%d] is not a (category, message) tuple", format.ErrMalformed, FlashesKey, i)
		}
		var f Flash
		if err := json.Unmarshal(pair[0], &f.Category); err != nil {
			return nil, fmt.Errorf("flasktag: %w: %s[%d] category: %v", format.ErrMalformed, FlashesKey, i, err)
		}
		if err := json.Unmarshal(pair[1], &f.Message); err != nil {
			var m map[string]string
			if json.Unmarshal(pair[1], &m) != nil || len(m) != 1 {
				return nil, fmt.Errorf("flasktag: %w: %s[%d] message: %v", format.ErrMalformed, FlashesKey, i, err)
			}
			s, ok := m[TagMarkup]
			if !ok {
				return nil, fmt.Errorf("flasktag: %w: %s[%d] message is not text", format.ErrMalformed, FlashesKey, i)
			}
			f.Message = s
		}
		out = append(out, f)
	}
	return out, nil
}

// AppendFlash returns raw, the value of "_flashes" (empty or null for
// none), with the given flashes appended as Flask's flash() appends them:
// {" t": [category, message]}. An empty Category is DefaultCategory. The
// entries already in raw are kept byte for byte. A raw that is not a JSON
// array is an error wrapping format.ErrMalformed.
func AppendFlash(raw json.RawMessage, flashes ...Flash) (json.RawMessage, error) {
	var list []json.RawMessage
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("flasktag: %w: %s is not a list: %v", format.ErrMalformed, FlashesKey, err)
		}
	}
	for _, f := range flashes {
		if f.Category == "" {
			f.Category = DefaultCategory
		}
		item, err := encode(map[string][2]string{TagTuple: {f.Category, f.Message}})
		if err != nil {
			return nil, err
		}
		list = append(list, item)
	}
	out := []byte{'['}
	for i, item := range list {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, item...)
	}
	return append(out, ']'), nil
}
