package cookiesession_test

import (
	"context"
	"encoding/json"
	"expvar"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"sort"

	"github.com/cookiesession/cookiesession"
)

// A flash message survives the redirect of a POST/redirect/GET flow and
// is shown once.
func ExampleSession_Flash() {
	sessions, err := cookiesession.New(cookiesession.Config{
		Type:      cookiesession.JWT,
		SecretKey: "an-example-secret-of-32-bytes!!!",
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /save", func(w http.ResponseWriter, r *http.Request) {
		s := cookiesession.FromRequest(r)
		if err := s.FlashCategory("info", "Saved."); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		for _, f := range cookiesession.FromRequest(r).Flashes() {
			fmt.Fprintf(w, "[%s] %s\n", f.Category, f.Text())
		}
		fmt.Fprintln(w, "page")
	})
	srv := httptest.NewServer(sessions.Handler(mux))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}

	resp, _ := client.Post(srv.URL+"/save", "text/plain", nil) // follows the 303
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(string(body))
	resp, _ = client.Get(srv.URL + "/") // shown once
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(string(body))
	// Output:
	// [info] Saved.
	// page
	// page
}

// Renew at login gives the session a new life: Lifetime counts from it,
// and with revocation the id a client held before stops working.
func ExampleSession_Renew() {
	login := func(w http.ResponseWriter, r *http.Request) {
		s := cookiesession.FromRequest(r)
		// ... check the password ...
		if err := s.Renew(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := s.Set("user", "tom"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}
	_ = login
}

// With a revocation list, logout revokes the session's id, so a copy of
// the cookie replayed later is refused, and RevokeUser logs a user out of
// every device. NewMemoryRevocationList serves one process; the module
// stores/redis shares the list across a fleet.
func ExampleConfig_revocation() {
	sessions, err := cookiesession.New(cookiesession.Config{
		Type:       cookiesession.Fernet,
		SecretKey:  "an-example-secret-of-32-chars!!!",
		Revocation: cookiesession.NewMemoryRevocationList(),
		// RevocationUserKey: "user" is the default: the key naming the user.
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		if err := cookiesession.FromRequest(r).Revoke(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "Logged out")
	})
	mux.HandleFunc("/logout-everywhere", func(w http.ResponseWriter, r *http.Request) {
		user := cookiesession.FromRequest(r).GetString("user")
		if err := sessions.RevokeUser(r.Context(), user); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "Done")
	})
	_ = sessions.Handler(mux)
}

// A Flask app's users keep their session when a route moves to Go: the
// Manager reads Flask's cookie (same SECRET_KEY) and writes it again as a
// jwt on the same response.
func ExampleConfig_migrateFrom() {
	_, err := cookiesession.New(cookiesession.Config{
		Type:      cookiesession.JWT,
		SecretKey: "an-example-secret-of-32-bytes!!!",
		MigrateFrom: []cookiesession.Migration{{
			Type:       cookiesession.Flask,
			SecretKey:  "the Flask app's SECRET_KEY",
			CookieName: "session", // Flask's default name
		}},
	})
	fmt.Println(err)
	// Output: <nil>
}

// Stats marshals to JSON with stable names, so the standard library's
// expvar publishes it as it is (GET /debug/vars).
func ExampleManager_Stats() {
	sessions, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		panic(err)
	}
	expvar.Publish("example-sessions", expvar.Func(func() any { return sessions.Stats() }))

	s := sessions.Load(context.Background(), "not base64!")
	_ = s.Err() // a refused cookie, counted
	var stats struct {
		DecodedByKey []uint64         `json:"decoded_by_key"`
		Refused      map[string]int64 `json:"refused"`
	}
	json.Unmarshal([]byte(expvar.Get("example-sessions").String()), &stats)
	fmt.Println(stats.DecodedByKey, stats.Refused["malformed"])
	// Output: [0] 1
}

// The counters in Prometheus' text format, without importing Prometheus:
// a handler for the scrape endpoint (or a prometheus.Collector whose
// Collect reads Stats the same way).
func ExampleManager_Stats_prometheus() {
	sessions, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		panic(err)
	}
	metrics := func(w io.Writer) {
		st := sessions.Stats()
		for key, n := range st.DecodedByKey {
			fmt.Fprintf(w, "cookiesession_decoded_total{key=\"%d\"} %d\n", key, n)
		}
		for _, group := range []struct {
			name   string
			counts map[string]uint64
		}{{"refused", st.Refused}, {"reissued", st.Reissued}, {"not_saved", st.NotSaved}} {
			reasons := make([]string, 0, len(group.counts))
			for r := range group.counts {
				reasons = append(reasons, r)
			}
			sort.Strings(reasons)
			for _, r := range reasons {
				fmt.Fprintf(w, "cookiesession_%s_total{reason=%q} %d\n", group.name, r, group.counts[r])
			}
		}
		fmt.Fprintf(w, "cookiesession_written_total %d\n", st.Written)
	}
	sessions.Load(context.Background(), "%%%").Err()
	metrics(&lineFilter{prefix: "cookiesession_refused_total{reason=\"malformed\"}"})
	// Output: cookiesession_refused_total{reason="malformed"} 1
}

// lineFilter prints the lines that start with prefix.
type lineFilter struct{ prefix string }

func (f *lineFilter) Write(p []byte) (int, error) {
	if len(p) >= len(f.prefix) && string(p[:len(f.prefix)]) == f.prefix {
		fmt.Print(string(p))
	}
	return len(p), nil
}
