package fibersession_test

import (
	"fmt"
	"io"
	"log"
	"net/http/httptest"

	"github.com/cookiesession/cookiesession"
	fibersession "github.com/cookiesession/cookiesession/adapters/fiber"
	"github.com/gofiber/fiber/v2"
)

func Example() {
	sessions, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		log.Fatal(err)
	}
	app := fiber.New()
	app.Use(fibersession.Middleware(sessions))
	app.Get("/login/:user", func(c *fiber.Ctx) error {
		if err := fibersession.Session(c).Set("user", c.Params("user")); err != nil {
			return err
		}
		return c.SendString("Done")
	})
	// app.Listen("localhost:8080")

	resp, err := app.Test(httptest.NewRequest("GET", "/login/tom", nil))
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	fmt.Println(resp.Header.Get("Set-Cookie"))
	// Output:
	// Done
	// session=eyJ1c2VyIjoidG9tIn0=; Path=/; Max-Age=1209600; HttpOnly; SameSite=Lax
}
