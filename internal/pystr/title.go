// Package pystr has the Python string methods that the tests of the
// framework adapters and of browsertest need, so that their apps greet users
// exactly as the Python examples do. The examples under examples/ carry a
// copy of Title of their own, so that each can be copied out of the
// repository.
package pystr

import (
	"strings"
	"unicode"
)

// Title returns s as Python's str.title does: every cased character that
// follows an uncased one is title-cased, every other cased character is
// lower-cased ("o'neil-smith 3rd" becomes "O'Neil-Smith 3Rd").
func Title(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	previousCased := false
	for _, r := range s {
		if previousCased {
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(unicode.ToTitle(r))
		}
		previousCased = unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r)
	}
	return b.String()
}
