package cookiesession_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

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
		SecretKey:    "0123456789abcdef0123456789abcdef", // use cookiesession keygen
		ErrorHandler: func(context.Context, error) {},    // keep the example's output quiet
	})
	forged := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ1c2VyIjoidG9tIiwiYWRtaW4iOnRydWV9."
	session := sessions.Load(context.Background(), forged)
	fmt.Println(session.Len(), errors.Is(session.Err(), cookiesession.ErrAlgorithm))
	// Output: 0 true
}

// Inside a handler, an empty session is either a visitor without a
// session cookie (Err is nil) or one whose cookie was refused: forged,
// expired, or made with a secret the server no longer has.
func ExampleSession_Err_handler() {
	sessions, err := cookiesession.New(cookiesession.Config{
		Type:         cookiesession.JWT,
		SecretKey:    "0123456789abcdef0123456789abcdef", // use cookiesession keygen
		ErrorHandler: func(context.Context, error) {},    // keep the example's output quiet
	})
	if err != nil {
		log.Fatal(err)
	}
	handler := sessions.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session := cookiesession.FromRequest(r)
		user := session.GetString("user")
		switch err := session.Err(); {
		case user != "":
			fmt.Fprintf(w, "Hello %s", user)
		case errors.Is(err, cookiesession.ErrExpired):
			fmt.Fprint(w, "Your session has expired: please log in again")
		case err != nil:
			fmt.Fprint(w, "Your session cookie was not accepted: please log in again")
		default: // no cookie at all
			fmt.Fprint(w, "Welcome, please log in")
		}
	}))

	for _, cookie := range []string{"", "session=eyJhbGciOiJub25lIn0.eyJ1c2VyIjoidG9tIn0."} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Body)
	}
	// Output:
	// Welcome, please log in
	// Your session cookie was not accepted: please log in again
}

// An ErrorHandler receives every refused cookie and every change that
// could not be saved. Each error wraps ErrCookieRefused or ErrNotSaved,
// besides the sentinel that says what went wrong, so a cookie refused for
// its size is told from a session too large to send.
func ExampleConfig_errorHandler() {
	sessions, err := cookiesession.New(cookiesession.Config{
		Type:      cookiesession.Fernet,
		SecretKey: "0123456789abcdef0123456789abcdef", // use cookiesession keygen -type fernet
		ErrorHandler: func(ctx context.Context, err error) {
			switch {
			case errors.Is(err, cookiesession.ErrCookieRefused) && errors.Is(err, cookiesession.ErrTooLarge):
				fmt.Println("refused an oversized cookie")
			case errors.Is(err, cookiesession.ErrCookieRefused):
				fmt.Println("refused a cookie:", errors.Is(err, cookiesession.ErrSignature))
			case errors.Is(err, cookiesession.ErrNotSaved) && errors.Is(err, cookiesession.ErrTooLarge):
				fmt.Println("session too large to save")
			case errors.Is(err, cookiesession.ErrNotSaved) && errors.Is(err, cookiesession.ErrHeadersWritten):
				fmt.Println("session changed too late")
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	handler := sessions.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session := cookiesession.FromRequest(r)
		if err := session.Set("note", r.URL.Query().Get("note")); err != nil {
			http.Error(w, "could not save your note", http.StatusRequestEntityTooLarge)
			return
		}
		fmt.Fprint(w, "saved")
		_ = session.Set("seen", true) // too late: the body has started
	}))

	serve := func(target, cookie string) {
		req := httptest.NewRequest("GET", target, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		handler.ServeHTTP(httptest.NewRecorder(), req)
	}
	serve("/?note=hi", "session=gAAAAABn")
	serve("/?note=hi", "session="+strings.Repeat("A", 5000))
	serve("/?note="+strings.Repeat("x", 5000), "")
	// Output:
	// refused a cookie: false
	// session changed too late
	// refused an oversized cookie
	// session changed too late
	// session too large to save
}

// Set returns an error when a change cannot be saved, and the error of
// encoding/json when the value cannot be stored as JSON.
func ExampleSession_Set_errors() {
	sessions, _ := cookiesession.New(cookiesession.Config{
		Type:         cookiesession.Base64,
		ErrorHandler: func(context.Context, error) {}, // keep the example's output quiet
	})
	session := sessions.Load(context.Background(), "")

	err := session.Set("big", strings.Repeat("x", 4000))
	fmt.Println(errors.Is(err, cookiesession.ErrTooLarge), errors.Is(err, cookiesession.ErrNotSaved), session.Len())

	err = session.Set("callback", func() {})
	var typeErr *json.UnsupportedTypeError
	fmt.Println(errors.As(err, &typeErr), typeErr.Type)

	err = session.Set("", "x")
	fmt.Println(errors.Is(err, cookiesession.ErrInvalidKey))
	// Output:
	// true true 0
	// true func()
	// true
}

// Several sessions per request, as gorilla/sessions' named sessions: each
// Manager keeps its own cookie, and its FromRequest finds its own session
// wherever its middleware sits. The package's FromRequest returns the
// innermost one.
func ExampleManager_FromRequest() {
	prefs, err := cookiesession.New(cookiesession.Config{
		Type:       cookiesession.Base64, // the user may see and change these
		CookieName: "prefs",
	})
	if err != nil {
		log.Fatal(err)
	}
	auth, err := cookiesession.New(cookiesession.Config{
		Type:       cookiesession.Fernet,               // neither readable nor changeable
		SecretKey:  "0123456789abcdef0123456789abcdef", // use cookiesession keygen -type fernet
		CookieName: "auth",
	})
	if err != nil {
		log.Fatal(err)
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := prefs.FromRequest(r).Set("theme", "dark"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := auth.FromRequest(r).Set("user", "tom"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Println(cookiesession.FromRequest(r) == auth.FromRequest(r))
	})
	handler := prefs.Handler(auth.Handler(app))

	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	for _, line := range rec.Header().Values("Set-Cookie") {
		fmt.Println(line[:strings.IndexByte(line, '=')])
	}
	// Output:
	// true
	// auth
	// prefs
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
