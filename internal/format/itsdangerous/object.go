package itsdangerous

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession/internal/format"
)

// JSONObject returns data, which must be one JSON object in UTF-8, in
// compact form (whitespace between tokens dropped, everything else as it
// stands); anything else is format.ErrMalformed. Python's json.loads would
// also take NaN and Infinity, which no JSON decoder of this module reads:
// such a session is refused here as malformed.
func JSONObject(data []byte) ([]byte, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: payload is not UTF-8", format.ErrMalformed)
	}
	var out bytes.Buffer
	out.Grow(len(data))
	if err := json.Compact(&out, data); err != nil {
		return nil, fmt.Errorf("%w: payload: %v", format.ErrMalformed, err)
	}
	if out.Len() == 0 || out.Bytes()[0] != '{' {
		return nil, fmt.Errorf("%w: payload is not a JSON object", format.ErrMalformed)
	}
	return out.Bytes(), nil
}
