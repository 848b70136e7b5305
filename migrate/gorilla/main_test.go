package gorilla_test

import (
	"encoding/gob"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/gorilla/sessions"
)

// account is a type of a gorilla application that only the writer process
// registers (see TestRefusesTypeUnregisteredHere).
type account struct{ Email string }

// TestMain runs the tests, or, with GORILLA_TEST_WRITER=1 in the
// environment, is the writer process of TestRefusesTypeUnregisteredHere: it
// registers a struct with gob, as the gorilla application does, and prints
// the cookie gorilla/sessions writes holding one.
func TestMain(m *testing.M) {
	if os.Getenv("GORILLA_TEST_WRITER") != "1" {
		os.Exit(m.Run())
	}
	gob.RegisterName("example.com/app.Account", account{})
	store := sessions.NewCookieStore(hashKey, blockKey)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	rec := httptest.NewRecorder()
	s, _ := store.Get(req, cookieName)
	s.Values["user_id"] = 7
	s.Values["account"] = account{Email: "a@example.com"}
	if err := s.Save(req, rec); err != nil {
		fmt.Fprintln(os.Stderr, "save:", err)
		os.Exit(1)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == cookieName {
			fmt.Printf("cookie=%s\n", c.Value)
		}
	}
	os.Exit(0)
}
