package gorilla_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/migrate/gorilla"
	"github.com/gorilla/sessions"
)

// An application on gorilla/sessions moves to cookiesession without logging
// its users out. It keeps the keys it gave sessions.NewCookieStore and the
// name of its session, and makes a gorilla codec from them. In the Manager's
// Config, the migration list (MigrateFrom) names the gorilla cookie and this
// codec: a request that carries only the gorilla cookie starts with the
// values of the gorilla session, and its response writes the session again
// in the Manager's own format and cookie. Here the codec's Decode is called
// directly, and the values are written again with the Manager's codec, as
// that response does.
func ExampleNewCodec() {
	// The keys of the gorilla/sessions application, as it passes them to
	// sessions.NewCookieStore (a hash key, a 32-byte AES block key).
	hashKey := []byte("the application's 64-byte hash key, from its configuration .....")
	blockKey := []byte("the 32-byte AES-256 block key...")

	// A cookie the gorilla application wrote before the move.
	gorillaCookie := func() string {
		store := sessions.NewCookieStore(hashKey, blockKey)
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		rec := httptest.NewRecorder()
		s, _ := store.Get(req, "app-session")
		s.Values["user_id"] = int64(9007199254740993)
		s.Values["roles"] = []string{"admin", "editor"}
		if err := s.Save(req, rec); err != nil {
			log.Fatal(err)
		}
		return rec.Result().Cookies()[0].Value
	}()

	codec, err := gorilla.NewCodec("app-session", hashKey, blockKey)
	if err != nil {
		log.Fatal(err)
	}
	values, err := codec.Decode(gorillaCookie)
	if err != nil {
		log.Fatal(err) // in the Manager: an empty session, the error reported
	}
	var userID int64
	if err := json.Unmarshal(values["user_id"], &userID); err != nil {
		log.Fatal(err)
	}
	fmt.Println("user_id:", userID)
	fmt.Println("roles:", string(values["roles"]))

	// The session goes on in the Manager's own format.
	own, err := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.JWT, SecretKey: "the new service's secret"})
	if err != nil {
		log.Fatal(err)
	}
	reissued, err := own.Encode(values)
	if err != nil {
		log.Fatal(err)
	}
	again, err := own.Decode(reissued)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("re-issued user_id:", string(again["user_id"]))

	// The gorilla codec only reads.
	_, err = codec.Encode(values)
	fmt.Println(err != nil)
	// Output:
	// user_id: 9007199254740993
	// roles: ["admin","editor"]
	// re-issued user_id: 9007199254740993
	// true
}
