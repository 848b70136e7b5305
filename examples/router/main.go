// Command router is the seed's second example: sessions behind a router,
// here Go's own http.ServeMux.
//
//	GET /            -> Hello Anonymous
//	GET /login/tom   -> Done
//	GET /            -> Hello Tom
//	GET /logout      -> Done
//	GET /            -> Hello Anonymous
//
// Run it with: go run ./examples/router [-addr localhost:8080] [-type jwt] [-secret S]
package main

import (
	"fmt"
	"net/http"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/examples/internal/demo"
	"github.com/cookiesession/cookiesession/internal/pystr"
)

func main() { demo.Serve(routes()) }

func routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", index)
	mux.HandleFunc("GET /login/{user}", login)
	mux.HandleFunc("GET /logout", logout)
	return mux
}

func index(w http.ResponseWriter, r *http.Request) {
	user := cookiesession.FromRequest(r).GetString("user")
	if user == "" {
		user = "Anonymous"
	}
	fmt.Fprintf(w, "Hello %s", pystr.Title(user))
}

func login(w http.ResponseWriter, r *http.Request) {
	if err := cookiesession.FromRequest(r).Set("user", r.PathValue("user")); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprint(w, "Done")
}

func logout(w http.ResponseWriter, r *http.Request) {
	cookiesession.FromRequest(r).Delete("user")
	fmt.Fprint(w, "Done")
}
