package cookiesession_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/cookiesession/cookiesession"
)

func ExampleGet() {
	type Cart struct {
		Items []string `json:"items"`
		Total int      `json:"total"`
	}
	sessions, _ := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	session := sessions.Load(context.Background(), "") // in a handler: cookiesession.FromRequest(r)

	_ = session.Set("cart", Cart{Items: []string{"apple", "pear"}, Total: 7})
	_ = session.Set("uid", 9007199254740993)

	cart, err := cookiesession.Get[Cart](session, "cart")
	fmt.Println(cart.Items, cart.Total, err)

	uid, err := cookiesession.Get[int64](session, "uid")
	fmt.Println(uid, err)

	_, err = cookiesession.Get[string](session, "user")
	fmt.Println(errors.Is(err, cookiesession.ErrNoValue))

	_, err = cookiesession.Get[int](session, "cart")
	fmt.Println(err)
	// Output:
	// [apple pear] 7 <nil>
	// 9007199254740993 <nil>
	// true
	// cookiesession: value of "cart" does not fit int: json: cannot unmarshal object into Go value of type int
}

func ExampleGetOr() {
	sessions, _ := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	session := sessions.Load(context.Background(), "eyJ0aGVtZSI6ImRhcmsifQ==") // {"theme":"dark"}

	fmt.Println(cookiesession.GetOr(session, "theme", "light"))
	fmt.Println(cookiesession.GetOr(session, "lang", "en"))
	// Output:
	// dark
	// en
}
