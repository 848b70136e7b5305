package browsertest

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/pystr"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
)

// userApp greets the session's user on GET / ("Hello Tom", "Hello
// Anonymous"), stores one on GET /login/{user}, and on GET /raw sets the
// Set-Cookie line given in the query parameter "line" by hand, bypassing
// the Manager. GET /frame?src=URL is a page that embeds URL in an iframe.
// reqs, when not nil, records each request, and for GET / the user seen.
func userApp(m *cookiesession.Manager, reqs *requestLog) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		user := cookiesession.FromRequest(r).GetString("user")
		if user == "" {
			user = "Anonymous"
		}
		fmt.Fprintf(w, "Hello %s", pystr.Title(user))
		if reqs != nil {
			reqs.add("GET / " + pystr.Title(user))
		}
	})
	mux.HandleFunc("GET /login/{user}", func(w http.ResponseWriter, r *http.Request) {
		if err := cookiesession.FromRequest(r).Set("user", r.PathValue("user")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "Done")
	})
	mux.HandleFunc("GET /raw", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", r.URL.Query().Get("line"))
		fmt.Fprint(w, "Raw")
	})
	mux.HandleFunc("GET /frame", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><p>Frame</p><iframe id="f" src="%s"></iframe>`, r.URL.Query().Get("src"))
	})
	h := m.Handler(mux)
	if reqs == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" && r.URL.Path != "/favicon.ico" {
			reqs.add(r.Method + " " + r.URL.Path)
		}
		h.ServeHTTP(w, r)
	})
}

// named returns the cookie of that name in list, or nil; it fails the test
// when there are several.
func named(t *testing.T, list []*network.Cookie, name string) *network.Cookie {
	t.Helper()
	var found *network.Cookie
	for _, c := range list {
		if c.Name == name {
			if found != nil {
				t.Errorf("the browser holds two cookies named %s (%s, %s)", name, found.Domain, c.Domain)
			}
			found = c
		}
	}
	return found
}

// A "__Host-session" cookie (Secure, Path "/", no Domain) written over
// HTTPS is kept by Chromium as a host-only Secure cookie and sent back. A
// "__Host-" cookie that breaks the prefix's rules is dropped by the
// browser, which is why the constructor refuses such a configuration (see
// TestHostPrefixRefusedByConstructor).
func TestHostPrefixOverHTTPSInChromium(t *testing.T) {
	cert := newCert(t)
	ctx := newBrowser(t, cert.trust())
	m, err := cookiesession.New(cookiesession.Config{
		Type: cookiesession.Fernet, SecretKey: sessiontest.Secret,
		CookieName: "__Host-session", Secure: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	url := serveTLS(t, cert, "127.0.0.1", userApp(m, nil))

	if got := page(t, ctx, url+"/"); got != "Hello Anonymous" {
		t.Fatalf("/ over HTTPS: %q (is the certificate trusted?)", got)
	}
	if got := script(t, ctx, `String(window.isSecureContext) + " " + location.protocol`); got != "true https:" {
		t.Errorf("secure context, protocol: %q", got)
	}
	if got := page(t, ctx, url+"/login/tom"); got != "Done" {
		t.Fatalf("/login/tom: %q", got)
	}
	c := named(t, storedCookies(t, ctx), "__Host-session")
	if c == nil {
		t.Fatal("the browser did not keep the __Host-session cookie")
	}
	if !c.Secure || c.Path != "/" || c.Domain != "127.0.0.1" || !c.HTTPOnly || c.SourceScheme != network.CookieSourceSchemeSecure {
		t.Errorf("stored: Secure %v, Path %q, Domain %q, HttpOnly %v, source scheme %q; want Secure, /, host-only 127.0.0.1, HttpOnly, Secure",
			c.Secure, c.Path, c.Domain, c.HTTPOnly, c.SourceScheme)
	}
	if got := page(t, ctx, url+"/"); got != "Hello Tom" {
		t.Errorf("/ after login: %q, want the cookie sent back", got)
	}

	// The browser enforces the prefix: the same kind of cookie without
	// Secure, with a Domain or another Path is dropped, while a correct
	// one is kept (so the checks above are not vacuous). On the host
	// localhost: Chromium takes a Domain equal to an IP address host as no
	// Domain at all.
	local := serveTLS(t, cert, "localhost", userApp(m, nil))
	for _, tc := range []struct {
		line string
		kept bool
	}{
		{"__Host-plain=1; Path=/; HttpOnly", false},
		{"__Host-domain=1; Secure; Path=/; Domain=localhost", false},
		{"__Host-subpath=1; Secure; Path=/app", false},
		{"__Host-fine=1; Secure; Path=/", true},
		// Without the prefix, the browser keeps each of the others.
		{"plain=1; Path=/; HttpOnly", true},
		{"domain=1; Secure; Path=/; Domain=localhost", true},
		{"subpath=1; Secure; Path=/app", true},
	} {
		page(t, ctx, local+"/raw?line="+queryEscape(tc.line))
		name, _, _ := strings.Cut(tc.line, "=")
		if kept := named(t, storedCookies(t, ctx), name) != nil; kept != tc.kept {
			t.Errorf("Set-Cookie: %s: kept %v, want %v", tc.line, kept, tc.kept)
		}
	}
}

func queryEscape(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", " ", "%20", ";", "%3B", "=", "%3D", "/", "%2F")
	return r.Replace(s)
}

// The constructor refuses a "__Host-" or "__Secure-" cookie name with
// attributes that make browsers drop the cookie: the same name over plain
// HTTP (Secure off), another Path, a Domain. (The core's own tests check
// this rule too; here it sits beside the browser test that shows why.)
func TestHostPrefixRefusedByConstructor(t *testing.T) {
	base := cookiesession.Config{Type: cookiesession.JWT, SecretKey: sessiontest.Secret}
	for _, tc := range []struct {
		name string
		edit func(*cookiesession.Config)
		ok   bool
	}{
		{"__Host- over HTTPS", func(c *cookiesession.Config) { c.CookieName, c.Secure = "__Host-session", true }, true},
		{"__Host- over plain HTTP", func(c *cookiesession.Config) { c.CookieName = "__Host-session" }, false},
		{"__Host- with a Path", func(c *cookiesession.Config) { c.CookieName, c.Secure, c.Path = "__Host-session", true, "/app" }, false},
		{"__Host- with a Domain", func(c *cookiesession.Config) {
			c.CookieName, c.Secure, c.Domain = "__Host-session", true, "example.com"
		}, false},
		{"__Secure- over HTTPS", func(c *cookiesession.Config) { c.CookieName, c.Secure = "__Secure-session", true }, true},
		{"__Secure- over plain HTTP", func(c *cookiesession.Config) { c.CookieName = "__Secure-session" }, false},
		{"Partitioned with Secure", func(c *cookiesession.Config) { c.Partitioned, c.Secure = true, true }, true},
		{"Partitioned without Secure", func(c *cookiesession.Config) { c.Partitioned = true }, false},
	} {
		cfg := base
		tc.edit(&cfg)
		m, err := cookiesession.New(cfg)
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case !tc.ok && (m != nil || !errors.Is(err, cookiesession.ErrInvalidConfig)):
			t.Errorf("%s: got a Manager %v and error %v, want an error wrapping ErrInvalidConfig", tc.name, m != nil, err)
		}
	}
}

// A Partitioned (CHIPS) session cookie set over HTTPS on a top-level visit
// is stored by Chromium with the site as its partition key, and sent back
// on the next top-level visit. The same server inside a cross-site iframe
// gets a cookie in the embedding site's partition, which a top-level visit
// to the server's own site does not see.
func TestPartitionedInChromium(t *testing.T) {
	cert := newCert(t)
	ctx := newBrowser(t, cert.trust())
	m, err := cookiesession.New(cookiesession.Config{
		Type: cookiesession.JWT, SecretKey: sessiontest.Secret,
		Secure: true, Partitioned: true, SameSite: http.SameSiteNoneMode,
	})
	if err != nil {
		t.Fatal(err)
	}
	reqs := &requestLog{}
	app := serveTLS(t, cert, "127.0.0.1", userApp(m, reqs))
	const site = "https://127.0.0.1"

	// Top level.
	if got := page(t, ctx, app+"/login/tom"); got != "Done" {
		t.Fatalf("/login/tom: %q", got)
	}
	c := named(t, storedCookies(t, ctx), "session")
	if c == nil {
		t.Fatal("the browser did not keep the Partitioned session cookie")
	}
	if c.PartitionKey == nil || c.PartitionKey.TopLevelSite != site || c.PartitionKey.HasCrossSiteAncestor || !c.Secure {
		t.Errorf("stored: partition key %+v, Secure %v; want top-level site %s, no cross-site ancestor, Secure", c.PartitionKey, c.Secure, site)
	}
	if got := page(t, ctx, app+"/"); got != "Hello Tom" {
		t.Errorf("/ after login: %q, want the partitioned cookie sent back", got)
	}

	// In an iframe on another site (localhost): the server sets the
	// cookie in the localhost partition, reads it back inside the iframe,
	// and a top-level visit to the server's own site does not see it.
	clearCookies(t, ctx)
	reqs.take()
	embedder := serveTLS(t, cert, "localhost", userApp(m, reqs))
	if got := page(t, ctx, embedder+"/frame?src="+queryEscape(app+"/login/tom")); got != "Frame" {
		t.Fatalf("embedding page: %q", got)
	}
	if got := reqs.take(); strings.Join(got, ", ") != "GET /frame, GET /login/tom" {
		t.Fatalf("requests: %q, want the embedding page, then the iframe's login", got)
	}
	c = named(t, storedCookies(t, ctx), "session")
	if c == nil {
		t.Fatal("the browser did not keep the Partitioned session cookie set inside the iframe")
	}
	if c.PartitionKey == nil || c.PartitionKey.TopLevelSite != "https://localhost" || !c.PartitionKey.HasCrossSiteAncestor || c.Domain != "127.0.0.1" {
		t.Errorf("stored: domain %s, partition key %+v; want 127.0.0.1 in the partition of https://localhost, with a cross-site ancestor", c.Domain, c.PartitionKey)
	}
	page(t, ctx, embedder+"/frame?src="+queryEscape(app+"/"))
	if got := reqs.take(); strings.Join(got, ", ") != "GET /frame, GET / Tom" {
		t.Errorf("requests: %q, want the iframe to greet Tom", got)
	}
	if got := page(t, ctx, app+"/"); got != "Hello Anonymous" {
		t.Errorf("top-level / after a login inside the iframe: %q, want the partitioned cookie kept to its partition", got)
	}
}
