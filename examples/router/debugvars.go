package main

import (
	"encoding/json"
	"expvar"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/cookiesession/cookiesession"
)

// statsVar is the name the Manager's statistics appear under on
// /debug/vars.
const statsVar = "cookiesession"

// debugVars serves the standard expvar page (every variable published
// with the expvar package: cmdline, memstats, ...) with the Manager's
// Stats under the name "cookiesession": decoded_by_key (cookies read per
// key, the current key first), migrated, refused (per reason), written,
// cleared, reissued (per cause) and not_saved (per reason).
//
// An app with one Manager needs only the standard library's two lines:
//
//	expvar.Publish("cookiesession", expvar.Func(func() any { return sessions.Stats() }))
//	mux.Handle("GET /debug/vars", expvar.Handler())
//
// expvar's cmdline shows the command line, secrets included: this page
// shows it with the values of the secret flags replaced by "REDACTED".
//
// This example writes the same page itself, with the name bound to the
// Manager it is given, because expvar.Publish panics when a name is
// published twice and nothing can unpublish it: the tests build many
// routers in one process.
func debugVars(sessions *cookiesession.Manager) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		stats, err := json.Marshal(sessions.Stats())
		if err != nil { // unreachable: Stats is plain numbers and maps
			log.Printf("debug/vars: %v", err)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprintf(w, "{\n")
		expvar.Do(func(kv expvar.KeyValue) {
			switch kv.Key {
			case statsVar:
			case "cmdline":
				args, _ := json.Marshal(redact(os.Args))
				fmt.Fprintf(w, "%q: %s,\n", kv.Key, args)
			default:
				fmt.Fprintf(w, "%q: %s,\n", kv.Key, kv.Value)
			}
		})
		fmt.Fprintf(w, "%q: %s\n}\n", statsVar, stats)
	})
}

// secretFlags are the flags whose values /debug/vars does not show.
var secretFlags = []string{"secret", "previous-secret", "migrate-secret"}

// redact returns a copy of a command line with the values of the secret
// flags (-secret S, --secret S, -secret=S) replaced by "REDACTED".
func redact(args []string) []string {
	out := append([]string(nil), args...)
	for i := 1; i < len(out); i++ {
		name, _, hasValue := strings.Cut(strings.TrimLeft(out[i], "-"), "=")
		if !strings.HasPrefix(out[i], "-") || !isSecretFlag(name) {
			continue
		}
		if hasValue {
			out[i] = out[i][:strings.Index(out[i], "=")+1] + "REDACTED"
		} else if i+1 < len(out) {
			i++
			out[i] = "REDACTED"
		}
	}
	return out
}

func isSecretFlag(name string) bool {
	for _, f := range secretFlags {
		if name == f {
			return true
		}
	}
	return false
}
