package echosession_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/cookiesession/cookiesession"
	echosession "github.com/cookiesession/cookiesession/adapters/echo"
	"github.com/labstack/echo/v4"
)

func Example() {
	sessions, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		log.Fatal(err)
	}
	e := echo.New()
	e.Use(echosession.Middleware(sessions))
	e.GET("/login/:user", func(c echo.Context) error {
		if err := echosession.Session(c).Set("user", c.Param("user")); err != nil {
			return err
		}
		return c.String(http.StatusOK, "Done")
	})
	// e.Start("localhost:8080")

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/login/tom", nil))
	fmt.Println(rec.Body)
	fmt.Println(rec.Header().Get("Set-Cookie"))
	// Output:
	// Done
	// session=eyJ1c2VyIjoidG9tIn0=; Path=/; Max-Age=1209600; HttpOnly; SameSite=Lax
}
