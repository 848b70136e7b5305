// Command hello is the seed's first example: any app can keep a session.
//
//	GET /      -> Hello Anonymous
//	GET /?tom  -> 307 to /, Hello Tom (and the session now holds user=tom)
//	GET /      -> Hello Tom
//
// Run it with: go run ./examples/hello [-addr localhost:8080] [-type jwt] [-secret S]
package main

import (
	"fmt"
	"net/http"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/examples/internal/demo"
	"github.com/cookiesession/cookiesession/internal/pystr"
)

func main() { demo.Serve(http.HandlerFunc(hello)) }

// hello stores the raw query string, if any, as the session's user, and
// greets the session's user.
func hello(w http.ResponseWriter, r *http.Request) {
	session := cookiesession.FromRequest(r)
	status := http.StatusOK
	if query := r.URL.RawQuery; query != "" {
		if err := session.Set("user", query); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Location", "/")
		status = http.StatusTemporaryRedirect
	}
	user := session.GetString("user")
	if user == "" {
		user = "anonymous"
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, "Hello %s", pystr.Title(user))
}
