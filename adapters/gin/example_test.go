package ginsession_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/cookiesession/cookiesession"
	ginsession "github.com/cookiesession/cookiesession/adapters/gin"
	"github.com/gin-gonic/gin"
)

func Example() {
	sessions, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		log.Fatal(err)
	}
	r := gin.New()
	r.Use(ginsession.Middleware(sessions))
	r.GET("/login/:user", func(c *gin.Context) {
		if err := ginsession.Session(c).Set("user", c.Param("user")); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "Done")
	})
	// r.Run("localhost:8080")

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/login/tom", nil))
	fmt.Println(rec.Body)
	fmt.Println(rec.Header().Get("Set-Cookie"))
	// Output:
	// Done
	// session=eyJ1c2VyIjoidG9tIn0=; Path=/; Max-Age=1209600; HttpOnly; SameSite=Lax
}
