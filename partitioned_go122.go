//go:build !go1.23

package cookiesession

import "net/http"

// setPartitioned reports that http.Cookie of this Go version has no
// Partitioned field: cookieLine appends the attribute itself.
func setPartitioned(*http.Cookie) bool { return false }
