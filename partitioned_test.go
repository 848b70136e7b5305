package cookiesession_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
)

// A Partitioned session's cookies carry the attribute once, in the
// middleware's Set-Cookie line and in what SaveCookies returns (for
// adapters), on every Go version the core supports.
func TestPartitionedAttributeOnce(t *testing.T) {
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, Secure: true, SameSite: http.SameSiteNoneMode, Partitioned: true})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Load(context.Background(), "")
	s.Set("user", "tom")
	cookies, err := m.SaveCookies(s)
	if err != nil || len(cookies) != 1 {
		t.Fatal(cookies, err)
	}
	_, srv, c := newLifeApp(t, cookiesession.Config{Type: cookiesession.JWT, Secure: true, SameSite: http.SameSiteNoneMode, Partitioned: true})
	_, sets := fetch(t, c, srv, "/login/tom")
	if len(sets) != 1 || strings.Count(sets[0], "Partitioned") != 1 {
		t.Fatalf("middleware Set-Cookie %q: want Partitioned once", sets)
	}
	if line := cookies[0].String(); partitionedField && strings.Count(line, "Partitioned") != 1 {
		t.Fatalf("SaveCookies cookie %q: want Partitioned (Go 1.23+)", line)
	}
}
