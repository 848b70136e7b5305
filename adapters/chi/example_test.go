package chisession_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/cookiesession/cookiesession"
	"github.com/go-chi/chi/v5"
)

// chi takes the core's net/http middleware as it is.
func Example() {
	sessions, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		log.Fatal(err)
	}
	r := chi.NewRouter()
	r.Use(sessions.Handler)
	r.Get("/login/{user}", func(w http.ResponseWriter, r *http.Request) {
		if err := cookiesession.FromRequest(r).Set("user", chi.URLParam(r, "user")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "Done")
	})
	// http.ListenAndServe("localhost:8080", r)

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/login/tom", nil))
	fmt.Println(rec.Body)
	fmt.Println(rec.Header().Get("Set-Cookie"))
	// Output:
	// Done
	// session=eyJ1c2VyIjoidG9tIn0=; Path=/; Max-Age=1209600; HttpOnly; SameSite=Lax
}
