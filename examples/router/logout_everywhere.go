package main

import (
	"fmt"
	"net/http"

	"github.com/cookiesession/cookiesession"
)

// withLogoutEverywhere adds GET /logout-everywhere to mux and returns mux.
// The route revokes every session of the logged-in user created until
// now, on every server that shares sessions' revocation list (the user's
// other browsers and devices, and any stolen copy of their cookies), and
// revokes and clears this session; it answers "Done", also for a session
// with no user (nothing to revoke). sessions must have a
// Config.Revocation: main adds the route only with -revocation or -redis.
// A revocation that did not reach the list is answered 503 (see
// sessionError), and the session is left as it was, so that the user can
// try again.
func withLogoutEverywhere(mux *http.ServeMux, sessions *cookiesession.Manager) *http.ServeMux {
	mux.HandleFunc("GET /logout-everywhere", func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromRequest(r)
		if user := s.GetString("user"); user != "" {
			if err := sessions.RevokeUser(r.Context(), user); err != nil {
				sessionError(w, err)
				return
			}
		}
		if err := s.Revoke(); err != nil {
			sessionError(w, err)
			return
		}
		fmt.Fprint(w, "Done")
	})
	return mux
}
