package cookiesession_test

import (
	"context"
	"testing"

	"github.com/cookiesession/cookiesession"
)

func TestLoadedTellsWhetherTheCookieWasRead(t *testing.T) {
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Load(context.Background(), "eyJ1c2VyIjoidG9tIn0=")
	if s.Loaded() || s.Changed() {
		t.Fatal("loaded before first use")
	}
	if s.Loaded() {
		t.Fatal("Loaded loaded the session")
	}
	if s.GetString("user") != "tom" || !s.Loaded() {
		t.Errorf("after Get: Loaded %v", s.Loaded())
	}
}
