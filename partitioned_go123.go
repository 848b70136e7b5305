//go:build go1.23

package cookiesession

import "net/http"

// setPartitioned sets the Partitioned attribute on c, which http.Cookie
// writes itself from Go 1.23 on, and reports that it did.
func setPartitioned(c *http.Cookie) bool {
	c.Partitioned = true
	return true
}
