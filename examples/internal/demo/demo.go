// Package demo holds what the example apps share: their flags and their
// server. Each example's own file holds the part worth reading, its handlers.
package demo

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/cookiesession/cookiesession"
)

// DemoSecret is the secret of the seed's examples. It is public: never use
// it outside a demo.
const DemoSecret = "sessions-secret"

// Serve parses the flags -addr, -type and -secret, builds the session
// middleware from them, and serves app wrapped in it until the process
// ends.
func Serve(app http.Handler) {
	addr := flag.String("addr", "localhost:8080", "address to listen on")
	sessionType := cookiesession.JWT
	flag.Var(&sessionType, "type", "session type: base64, jwt or fernet")
	secret := flag.String("secret", DemoSecret, "secret key for jwt and fernet sessions")
	flag.Parse()

	switch {
	case sessionType == cookiesession.Base64:
		fmt.Fprintln(os.Stderr, "warning: base64 sessions are not signed: clients can read and forge them")
	case *secret == DemoSecret:
		fmt.Fprintf(os.Stderr, "warning: using the demo secret %q, which is public; pass -secret for anything real\n", DemoSecret)
	}
	sessions, err := cookiesession.New(cookiesession.Config{Type: sessionType, SecretKey: *secret})
	if err != nil {
		log.Fatal(err)
	}
	server := &http.Server{
		Addr:              *addr,
		Handler:           sessions.Handler(app),
		ReadHeaderTimeout: 10 * time.Second,
	}
	log.Printf("listening on http://%s (%s sessions)", *addr, sessionType)
	log.Fatal(server.ListenAndServe())
}
