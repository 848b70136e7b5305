package cookiesession_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/cookiesession/cookiesession"
)

func ExampleNew() {
	sessions, err := cookiesession.New(cookiesession.Config{
		Type:      cookiesession.Fernet,
		SecretKey: "0123456789abcdef0123456789abcdef", // use cookiesession keygen
	})
	if err != nil {
		log.Fatal(err)
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "Hello %s", cookiesession.FromRequest(r).GetString("user"))
	})
	// http.ListenAndServe("localhost:8080", sessions.Handler(app))
	_ = sessions.Handler(app)

	_, err = cookiesession.New(cookiesession.Config{Type: cookiesession.JWT})
	fmt.Println(err)
	// Output: cookiesession: secret key required for session type jwt
}

func ExampleManager_Handler() {
	sessions, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		log.Fatal(err)
	}
	handler := sessions.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session := cookiesession.FromRequest(r)
		if name := r.URL.Query().Get("name"); name != "" {
			if err := session.Set("user", name); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		fmt.Fprintf(w, "Hello %s", session.GetString("user"))
	}))

	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest("GET", "/?name=tom", nil))
	fmt.Println(rec.Body)
	fmt.Println(rec.Header().Get("Set-Cookie"))
	// Output:
	// Hello tom
	// session=eyJ1c2VyIjoidG9tIn0=; Path=/; Max-Age=1209600; HttpOnly; SameSite=Lax
}

func ExampleSession_Set() {
	sessions, _ := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	session := sessions.Load(context.Background(), "")

	_ = session.Set("cart", []map[string]any{{"sku": "X3a5ID", "qty": 2}})
	_ = session.Set("uid", uint64(9007199254740993))
	fmt.Println(session.Get("uid"), session.Keys())

	err := session.Set("callback", func() {})
	fmt.Println(err != nil)
	// Output:
	// 9007199254740993 [cart uid]
	// true
}

// Frameworks that are not net/http middleware load and save sessions
// themselves.
func ExampleManager_Load() {
	sessions, _ := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})

	session := sessions.Load(context.Background(), "eyJ1c2VyIjoidG9tIn0=")
	fmt.Println(session.GetString("user"))
	session.Delete("user")

	cookie, err := sessions.Save(session)
	fmt.Println(cookie, err)
	// Output:
	// tom
	// session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax <nil>
}

func ExampleSession_Err() {
	sessions, _ := cookiesession.New(cookiesession.Config{
		Type:         cookiesession.JWT,
		SecretKey:    "sessions-secret",
		ErrorHandler: func(context.Context, error) {}, // keep the example's output quiet
	})
	forged := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ1c2VyIjoidG9tIiwiYWRtaW4iOnRydWV9."
	session := sessions.Load(context.Background(), forged)
	fmt.Println(session.Len(), errors.Is(session.Err(), cookiesession.ErrAlgorithm))
	// Output: 0 true
}

func ExampleNewCodec() {
	codec, err := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		log.Fatal(err)
	}
	token, _ := codec.Encode(cookiesession.Values{"user": []byte(`"tom"`)})
	fmt.Println(token)

	values, _ := codec.Decode("eyJ1c2VyIjoidG9tIiwidWlkIjo4MjcwMzd9")
	fmt.Println(string(values["uid"]))
	// Output:
	// eyJ1c2VyIjoidG9tIn0=
	// 827037
}

func ExampleConfig_rotation() {
	old, _ := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.JWT, SecretKey: "2025-secret"})
	token, _ := old.Encode(cookiesession.Values{"user": []byte(`"tom"`)})

	rotated, _ := cookiesession.NewCodec(cookiesession.Config{
		Type:               cookiesession.JWT,
		SecretKey:          "2026-secret",
		PreviousSecretKeys: []string{"2025-secret"},
	})
	values, err := rotated.Decode(token)
	fmt.Println(string(values["user"]), err)
	// Output: "tom" <nil>
}
