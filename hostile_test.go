package cookiesession

// A table of hostile cookies, each sent over a real HTTP connection on
// 127.0.0.1 to a server whose handler reads the session. Every case must
// give the handler an empty session, report an error wrapping the
// expected sentinel with a reason, and answer below 500.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	mathrand "math/rand"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

const (
	hostileNow    = 1_800_000_000
	hostileSecret = "hostile-server-secret-2ZqT9xw1" // ≤ 32 ASCII: a jwt and a fernet secret
)

type hostileCase struct {
	name   string
	typ    Type
	cookie string  // the Cookie header's value, sent as these exact bytes
	want   []error // the reported error wraps one of these
	browse bool    // server with MaxAge: BrowserSession (no expiry checks)
	// loadOnly: a value net/http would refuse in a Cookie header (a line
	// break), which reaches the codecs through Manager.Load (frameworks
	// without net/http, the CLI) instead.
	loadOnly bool
}

// ---- token makers, independent of the codecs under test ----

func b64raw(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// jwtWith builds header.payload.signature; alg chooses the signature:
// HS256, HS384 or HS512 under key, "" for an empty signature, or any other
// text used as the signature segment as is.
func jwtWith(header, payload, alg, key string) string {
	input := b64raw(header) + "." + b64raw(payload)
	var h func() hash.Hash
	switch alg {
	case "HS256":
		h = sha256.New
	case "HS384":
		h = sha512.New384
	case "HS512":
		h = sha512.New
	default:
		return input + "." + alg
	}
	mac := hmac.New(h, []byte(key))
	io.WriteString(mac, input)
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// fernetRaw builds the bytes of a fernet token as the specification does,
// keyed with secret the asgi-sessions way, with a chosen version byte and
// timestamp; a padding of 0 writes correct PKCS#7, else that byte value.
func fernetRaw(secret string, version byte, ts uint64, plaintext []byte, padding byte) []byte {
	key := []byte(secret + strings.Repeat("=", 32-len(secret)))
	n := 16 - len(plaintext)%16
	body := append([]byte{}, plaintext...)
	for i := 0; i < n; i++ {
		p := byte(n)
		if padding != 0 {
			p = padding
		}
		body = append(body, p)
	}
	iv := bytes.Repeat([]byte{7}, 16)
	block, _ := aes.NewCipher(key[16:])
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(body, body)
	token := []byte{version}
	token = binary.BigEndian.AppendUint64(token, ts)
	token = append(append(token, iv...), body...)
	mac := hmac.New(sha256.New, key[:16])
	mac.Write(token)
	return mac.Sum(token)
}

func fernetWith(secret string, version byte, ts uint64, plaintext string) string {
	return base64.URLEncoding.EncodeToString(fernetRaw(secret, version, ts, []byte(plaintext), 0))
}

// sizedPayload returns a JSON object whose token of type typ is about n bytes.
func sizedPayload(typ Type, n int) string {
	pad := n * 3 / 4
	return `{"pad":"` + strings.Repeat("x", pad) + `"}`
}

// tokenFor makes an authentic token of typ under the server's secret.
func tokenFor(typ Type, payload string) string {
	switch typ {
	case JWT:
		return jwtWith(`{"alg":"HS256","typ":"JWT"}`, payload, "HS256", hostileSecret)
	case Fernet:
		return fernetWith(hostileSecret, 0x80, hostileNow, payload)
	}
	return base64.URLEncoding.EncodeToString([]byte(payload))
}

var (
	errsAny = []error{ErrMalformed, ErrSignature, ErrAlgorithm, ErrExpired, ErrNotYetValid, ErrTooLarge}
	eMal    = []error{ErrMalformed}
	eSig    = []error{ErrSignature}
	eAlg    = []error{ErrAlgorithm}
	eExp    = []error{ErrExpired}
	eNYV    = []error{ErrNotYetValid}
	eBig    = []error{ErrTooLarge}
)

// casings returns every upper/lower-case spelling of s.
func casings(s string) []string {
	out := []string{""}
	for _, r := range s {
		var next []string
		for _, p := range out {
			lo, up := strings.ToLower(string(r)), strings.ToUpper(string(r))
			next = append(next, p+lo)
			if up != lo {
				next = append(next, p+up)
			}
		}
		out = next
	}
	return out
}

func hostileCases(t *testing.T, jku string) []hostileCase {
	var cs []hostileCase
	add := func(typ Type, name, cookie string, want []error) {
		cs = append(cs, hostileCase{name: string(typ) + "/" + name, typ: typ, cookie: cookie, want: want})
	}
	tok := func(typ Type, name, value string, want []error) { add(typ, name, "session="+value, want) }
	user := `{"user":"root","admin":true}`

	// ---- jwt: algorithms ----
	for _, alg := range casings("none") {
		for _, h := range []string{`{"alg":"` + alg + `"}`, `{"alg":"` + alg + `","typ":"JWT"}`} {
			tok(JWT, "alg "+h+"/no signature", jwtWith(h, user, "", ""), eAlg)
			tok(JWT, "alg "+h+"/HS256 signature with the server key", jwtWith(h, user, "HS256", hostileSecret), eAlg)
		}
		tok(JWT, "alg "+alg+"/garbage signature", jwtWith(`{"alg":"`+alg+`"}`, user, "AAAA", ""), eAlg)
		tok(JWT, "alg "+alg+"/two segments", b64raw(`{"alg":"`+alg+`"}`)+"."+b64raw(user), eMal)
	}
	for _, alg := range []string{"HS384", "HS512"} {
		tok(JWT, alg+" signed with the server key", jwtWith(`{"alg":"`+alg+`","typ":"JWT"}`, user, alg, hostileSecret), eAlg)
		tok(JWT, alg+" header, HS256 signature with the server key", jwtWith(`{"alg":"`+alg+`"}`, user, "HS256", hostileSecret), eAlg)
	}
	for _, alg := range []string{"RS256", "ES256", "PS256", "EdDSA", "HS256 ", "hs256", "HS-256", ""} {
		tok(JWT, "key confusion: alg "+strconv.Quote(alg)+" with an HMAC signature", jwtWith(`{"alg":"`+alg+`","typ":"JWT"}`, user, "HS256", hostileSecret), eAlg)
	}
	pem := "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"
	tok(JWT, "key confusion: RS256 signed with HMAC over a public key PEM", jwtWith(`{"alg":"RS256"}`, user, "HS256", pem), eAlg)
	tok(JWT, "alg missing", jwtWith(`{"typ":"JWT"}`, user, "HS256", hostileSecret), eAlg)
	tok(JWT, "alg not a string", jwtWith(`{"alg":256}`, user, "HS256", hostileSecret), eMal)
	tok(JWT, "crit extension", jwtWith(`{"alg":"HS256","crit":["exp"],"exp":1}`, user, "HS256", hostileSecret), eAlg)
	tok(JWT, "typ JWE", jwtWith(`{"alg":"HS256","typ":"JWE"}`, user, "HS256", hostileSecret), eMal)

	// ---- jwt: header text with line breaks between JSON tokens, which a
	// log line or an error page must not show raw ----
	fakeLog := "\n2026/01/01 00:00:00 INFO admin logged in\r\n"
	tok(JWT, "alg array with line breaks", jwtWith(`{"alg":["HS256",`+"\n"+`"`+fakeLog[2:20]+`"]}`, user, "HS256", hostileSecret), eMal)
	tok(JWT, "alg object with line breaks", jwtWith(`{"alg":{"a":`+"\r\n"+`1},"typ":"JWT"}`, user, "", ""), eMal)
	tok(JWT, "typ array with line breaks", jwtWith(`{"alg":"HS256","typ":[`+"\n"+`"fake log line",`+"\n\t"+`1]}`, user, "HS256", hostileSecret), eMal)
	tok(JWT, "alg with escaped control characters", jwtWith(`{"alg":"HS256\n\u0000\u001b[31m"}`, user, "HS256", hostileSecret), eAlg)
	tok(JWT, "exp array with line breaks", tokenFor(JWT, `{"user":"root","exp":[`+"\n"+`1]}`), eMal)

	// ---- jwt: headers that name a key; never followed, never trusted ----
	attacker := "attacker-key"
	for _, h := range []string{
		`{"alg":"HS256","typ":"JWT","kid":"attacker"}`,
		`{"alg":"HS256","kid":"../../../../dev/null"}`,
		`{"alg":"HS256","kid":"' OR 1=1 --"}`,
		`{"alg":"HS256","jku":"` + jku + `"}`,
		`{"alg":"HS256","x5u":"` + jku + `"}`,
		`{"alg":"HS256","jwk":{"kty":"oct","k":"` + b64raw(attacker) + `"}}`,
	} {
		tok(JWT, "header "+h+" signed with the attacker's key", jwtWith(h, user, "HS256", attacker), eSig)
	}
	kidEmpty := `{"alg":"HS256","kid":"/dev/null"}`
	tok(JWT, "kid /dev/null signed with an empty key", jwtWith(kidEmpty, user, "HS256", ""), eSig)

	// ---- empty and weak keys, on both signed types ----
	for _, k := range []string{"", "secret", "password", "123456", "changeme", "key", "k", "jwt", "your-256-bit-secret", "sessions-secret", "SECRET-TESTS", hostileSecret[:len(hostileSecret)-1]} {
		tok(JWT, fmt.Sprintf("key %q", k), jwtWith(`{"alg":"HS256","typ":"JWT"}`, user, "HS256", k), eSig)
		if len(k) <= 32 && (len(k) < 16 || k[:16] != hostileSecret[:16]) {
			tok(Fernet, fmt.Sprintf("key %q", k), fernetWith(k, 0x80, hostileNow, user), eSig)
		}
	}
	// asgi-sessions' derivation signs with the secret's first 16 characters:
	// a secret that shares them passes the MAC, and fails to decrypt.
	tok(Fernet, "key sharing the server secret's first 16 characters", fernetWith(hostileSecret[:16]+"other", 0x80, hostileNow, user), eMal)

	// ---- jwt: time claims ----
	for _, exp := range []string{strconv.Itoa(hostileNow - 1), strconv.Itoa(hostileNow), "0", "-1", "1300819380", "1.8e9", "-1e300"} {
		tok(JWT, "exp "+exp+" (expired)", tokenFor(JWT, `{"user":"root","exp":`+exp+`}`), eExp)
	}
	maxAge := int64(DefaultMaxAge / time.Second)
	for _, exp := range []string{
		strconv.FormatInt(hostileNow+maxAge+3600, 10), "4102444800", "1e15", "9223372036854775807", "1e300", "18446744073709551615",
	} {
		// Written under a larger MaxAge, or by another server: expired as
		// far as this server's MaxAge goes.
		tok(JWT, "exp "+exp+" (far future, beyond MaxAge)", tokenFor(JWT, `{"user":"root","exp":`+exp+`}`), eExp)
	}
	for _, exp := range []string{`"tomorrow"`, `"1800000000"`, `null`, `true`, `[1]`, `{}`, `1e400`, `-1e400`} {
		tok(JWT, "exp "+exp+" (not a number)", tokenFor(JWT, `{"user":"root","exp":`+exp+`}`), eMal)
	}
	for _, nbf := range []string{strconv.Itoa(hostileNow + 3600), "1e300"} {
		tok(JWT, "nbf "+nbf+" (future)", tokenFor(JWT, `{"user":"root","nbf":`+nbf+`}`), eNYV)
	}
	tok(JWT, `nbf "now" (not a number)`, tokenFor(JWT, `{"user":"root","nbf":"now"}`), eMal)

	// ---- payloads that are not JSON objects, authentic on every type ----
	for _, typ := range allTypes {
		for _, p := range []string{`[]`, `[{"user":"root"}]`, `"root"`, `1`, `null`, `true`, ``, ` `, `{`, `{"a":}`, `{"a":1,}`,
			`{"a":1}x`, `{"a":1}{"b":2}`, `{'a':1}`, `{a:1}`, `{"a":NaN}`, `{"a":Infinity}`, `{"a":01}`, `{"a":"\x01"}`,
			"\xef\xbb\xbf{}", `{"a":"\ud800"` /* unterminated */} {
			if typ == Base64 && p == "" {
				continue // an empty cookie value is no cookie
			}
			tok(typ, fmt.Sprintf("payload %q", p), tokenFor(typ, p), eMal)
		}
	}
	tok(JWT, "header not JSON", b64raw("alg=HS256")+"."+b64raw(user)+"."+strings.Repeat("A", 43), eMal)

	// ---- fernet structure ----
	for _, v := range []byte{0x00, 0x7f, 0x81, 0x90, 0xff} {
		tok(Fernet, fmt.Sprintf("version byte 0x%02x", v), fernetWith(hostileSecret, v, hostileNow, user), eMal)
	}
	far := []uint64{hostileNow + 61, hostileNow + 3600, hostileNow + 100*365*86400, 1 << 62, 1 << 63, math.MaxUint64}
	for _, ts := range far {
		tok(Fernet, fmt.Sprintf("timestamp %d (future)", ts), fernetWith(hostileSecret, 0x80, ts, user), eNYV)
		cs = append(cs, hostileCase{name: fmt.Sprintf("fernet/BrowserSession/timestamp %d (future)", ts), typ: Fernet,
			cookie: "session=" + fernetWith(hostileSecret, 0x80, ts, user), want: eNYV, browse: true})
	}
	for _, ts := range []uint64{hostileNow - uint64(maxAge) - 1, 0, 1} {
		tok(Fernet, fmt.Sprintf("timestamp %d (expired)", ts), fernetWith(hostileSecret, 0x80, ts, user), eExp)
	}
	tok(Fernet, "authentic token, bad padding", base64.URLEncoding.EncodeToString(fernetRaw(hostileSecret, 0x80, hostileNow, []byte(user), 17)), eMal)
	good := fernetWith(hostileSecret, 0x80, hostileNow, user)
	for n := 1; n < len(good); n++ {
		tok(Fernet, fmt.Sprintf("text truncated to %d of %d", n, len(good)), good[:n], []error{ErrMalformed, ErrSignature})
	}
	raw := fernetRaw(hostileSecret, 0x80, hostileNow, []byte(user), 0)
	for n := 1; n < len(raw); n++ {
		tok(Fernet, fmt.Sprintf("bytes truncated to %d of %d", n, len(raw)), base64.URLEncoding.EncodeToString(raw[:n]), []error{ErrMalformed, ErrSignature})
	}
	goodJWT := tokenFor(JWT, user)
	for n := 1; n < len(goodJWT); n++ {
		tok(JWT, fmt.Sprintf("text truncated to %d of %d", n, len(goodJWT)), goodJWT[:n], []error{ErrMalformed, ErrSignature})
	}

	// ---- base64 spellings ----
	tok(Base64, "not base64", "%%%%", eMal)
	tok(Base64, "standard alphabet", base64.StdEncoding.EncodeToString([]byte(`{"a":"??>"}`)), eMal)
	tok(Base64, "unpadded", base64.RawURLEncoding.EncodeToString([]byte(`{"a":1}`)), eMal)
	tok(Base64, "non-zero padding bits", "e31=", eMal)

	// ---- line breaks inside base64 text, which Go's decoder skips even
	// in strict mode: each must be refused, whatever it decodes to ----
	for _, typ := range allTypes {
		valid := tokenFor(typ, `{"user":"tom"}`)
		for _, lb := range []string{"\n", "\r", "\r\n"} {
			for _, at := range []int{4, len(valid) / 2, len(valid) - 2} {
				cs = append(cs, hostileCase{name: fmt.Sprintf("%s/line break %q at %d", typ, lb, at), typ: typ,
					cookie: "session=" + valid[:at] + lb + valid[at:], want: []error{ErrMalformed, ErrSignature}, loadOnly: true})
			}
		}
	}
	// A jwt whose HMAC ends in 0x00: its signature's last character is
	// 'A' and carries no bit of the HMAC, so dropping it and putting a
	// line break anywhere in the signature keeps the length, and a decoder
	// that skips line breaks recovers 31 of the 32 bytes (the last being
	// zero all the same). Found by trying payloads under the fixed key.
	zeroEnd := jwtWithZeroEndedHMAC(t)
	dot := strings.LastIndexByte(zeroEnd, '.')
	head, sig := zeroEnd[:dot+1], zeroEnd[dot+1:]
	for _, lb := range []string{"\n", "\r"} {
		for _, at := range []int{0, 1, 21, 41, 42} {
			forged := head + sig[:at] + lb + sig[at:42]
			cs = append(cs, hostileCase{name: fmt.Sprintf("jwt/HMAC ending in 0x00, last character dropped, %q at %d", lb, at), typ: JWT,
				cookie: "session=" + forged, want: eSig, loadOnly: true})
		}
	}
	// Authentic tokens (signed over the text with the line break) whose
	// header or payload segment holds a line break.
	for _, seg := range []int{0, 1} {
		parts := strings.Split(tokenFor(JWT, user), ".")
		parts[seg] = parts[seg][:5] + "\n" + parts[seg][5:]
		input := parts[0] + "." + parts[1]
		mac := hmac.New(sha256.New, []byte(hostileSecret))
		io.WriteString(mac, input)
		signed := input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
		cs = append(cs, hostileCase{name: fmt.Sprintf("jwt/authentic token with a line break in segment %d", seg), typ: JWT,
			cookie: "session=" + signed, want: eMal, loadOnly: true})
	}

	// ---- size: refused before any crypto or JSON work ----
	for _, typ := range allTypes {
		for _, n := range []int{MaxCookieSize + 1, 100 << 10, 1 << 20} {
			value := tokenFor(typ, sizedPayload(typ, n))
			if len(value) <= MaxCookieSize {
				t.Fatalf("%s: a %d-byte token for size %d", typ, len(value), n)
			}
			if n == MaxCookieSize+1 {
				value = value[:MaxCookieSize+1]
			}
			tok(typ, fmt.Sprintf("%d-byte authentic token", len(value)), value, eBig)
		}
		deep := `{"a":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`
		tok(typ, "JSON nested 20000 deep", tokenFor(typ, deep), eBig)
		deepObj := strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)
		tok(typ, "objects nested 20000 deep", tokenFor(typ, deepObj), eBig)
	}

	// ---- several cookies with the session's name ----
	for _, typ := range allTypes {
		valid := tokenFor(typ, `{"user":"tom"}`)
		add(typ, "five bad then a valid one (at most four are tried)",
			"session=bad1; session=bad2; session=bad3; session=bad4; session=bad5; session="+valid, eMal)
		add(typ, "1000 bad cookies", strings.TrimSuffix(strings.Repeat("session=%%%; ", 1000), "; "), eMal)
		add(typ, "empty then bad", "session=; session=\"\"; session=x", eMal)
	}
	add(JWT, "another key's cookie first, garbage after", "session="+jwtWith(`{"alg":"HS256"}`, user, "HS256", "other")+"; session=garbage", eSig)

	// ---- cookie values with separators, spaces, quotes, line breaks ----
	for _, typ := range allTypes {
		valid := tokenFor(typ, `{"user":"tom"}`)
		for name, cookie := range map[string]string{
			"semicolon in quotes":       `session="` + valid[:10] + `;` + valid[10:] + `"`,
			"comma":                     `session=` + valid[:10] + `,` + valid[10:],
			"space":                     `session=` + valid[:10] + ` ` + valid[10:],
			"quote in the middle":       `session=` + valid[:10] + `"` + valid[10:],
			"unbalanced quote":          `session="` + valid,
			"escaped quotes":            `session=\"` + valid + `\"`,
			"tab":                       "session=" + valid[:10] + "\t" + valid[10:],
			"CRLF then a header":        `session="` + valid[:10] + "\r\nX-Injected: 1\r\nCookie: x=\"" + valid[10:] + `"`,
			"CRLF then another session": "session=" + valid[:10] + "\r\nCookie: session=garbage",
			"high bytes":                "session=" + valid[:10] + "\xc3\xa9\xff" + valid[10:],
			"percent-encoded":           "session=" + url.QueryEscape(valid+";"),
		} {
			add(typ, name, cookie, []error{ErrMalformed, ErrSignature})
		}
	}

	// ---- every forged cookie of the asgi-sessions vectors ----
	vectors := loadASGIVectors(t)
	for i, v := range vectors.Invalid {
		if v.Token == "" {
			continue // an empty cookie value is no cookie
		}
		tok(v.Type, fmt.Sprintf("asgi-sessions invalid[%d]: %s", i, v.Why), v.Token, errsAny)
	}
	return cs
}

// jwtWithZeroEndedHMAC returns an authentic jwt under the server's secret
// whose HMAC-SHA256 ends in a zero byte.
func jwtWithZeroEndedHMAC(t *testing.T) string {
	for i := 0; i < 100000; i++ {
		token := tokenFor(JWT, fmt.Sprintf(`{"user":"root","i":%d}`, i))
		sig, err := base64.RawURLEncoding.DecodeString(token[strings.LastIndexByte(token, '.')+1:])
		if err != nil || len(sig) != 32 {
			t.Fatalf("test token %q: %v", token, err)
		}
		if sig[31] == 0 {
			if !strings.HasSuffix(token, "A") {
				t.Fatalf("HMAC ends in 0x00 but the signature text %q does not end in A", token)
			}
			return token
		}
	}
	t.Fatal("no HMAC ending in 0x00 in 100000 tries")
	return ""
}

// hostileServer is an httptest server whose handler reports the session
// it got in response headers, and whose errors are collected.
type hostileServer struct {
	*httptest.Server
	mu   sync.Mutex
	errs []error
	ran  atomic.Int64
}

func newHostileServer(t *testing.T, typ Type, browse bool) *hostileServer {
	hs := &hostileServer{}
	cfg := Config{Type: typ, SecretKey: hostileSecret, Now: fixedClock(hostileNow),
		ErrorHandler: func(_ context.Context, err error) {
			hs.mu.Lock()
			hs.errs = append(hs.errs, err)
			hs.mu.Unlock()
		}}
	if typ == Base64 {
		cfg.SecretKey = ""
	}
	if browse {
		cfg.MaxAge = BrowserSession
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs.Server = newSessionReporter(m, &hs.ran)
	t.Cleanup(hs.Close)
	return hs
}

// newSessionReporter starts a server of m whose handler counts its runs in
// ran and reports the session it got in response headers.
func newSessionReporter(m *Manager, ran *atomic.Int64) *httptest.Server {
	return httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ran.Add(1)
		s := FromRequest(r)
		w.Header().Set("X-Session-Len", strconv.Itoa(s.Len()))
		w.Header().Set("X-Session-Keys", strings.Join(s.Keys(), ","))
		if err := s.Err(); err != nil {
			w.Header().Set("X-Session-Err", strconv.Quote(err.Error()))
		}
		io.WriteString(w, "ok")
	})))
}

func (hs *hostileServer) take() []error {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	errs := hs.errs
	hs.errs = nil
	return errs
}

// rawGet sends a GET with the given Cookie header bytes over a new TCP
// connection and returns the response.
func rawGet(t *testing.T, addr, cookie string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	req := "GET / HTTP/1.1\r\nHost: " + addr + "\r\nCookie: " + cookie + "\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestHostileCookies(t *testing.T) {
	var jkuHits atomic.Int64
	jku := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { jkuHits.Add(1) }))
	defer jku.Close()

	servers := map[string]*hostileServer{}
	server := func(typ Type, browse bool) *hostileServer {
		k := fmt.Sprint(typ, browse)
		if servers[k] == nil {
			servers[k] = newHostileServer(t, typ, browse)
		}
		return servers[k]
	}
	cases := hostileCases(t, jku.URL+"/jwks.json")
	names := map[string]bool{}
	for _, tc := range cases {
		if names[tc.name] {
			t.Fatalf("two cases named %q", tc.name)
		}
		names[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			if tc.loadOnly {
				checkHostileLoad(t, tc, true)
				return
			}
			srv := server(tc.typ, tc.browse)
			srv.take()
			ran := srv.ran.Load()
			resp := rawGet(t, srv.Listener.Addr().String(), tc.cookie)
			errs := srv.take()
			if resp.StatusCode >= 500 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if resp.StatusCode != 200 || srv.ran.Load() != ran+1 {
				t.Fatalf("status %d, handler ran %d times: the cookie should reach the handler", resp.StatusCode, srv.ran.Load()-ran)
			}
			if n := resp.Header.Get("X-Session-Len"); n != "0" {
				t.Errorf("session not empty: %s keys %s", n, resp.Header.Get("X-Session-Keys"))
			}
			if len(errs) != 1 {
				t.Fatalf("%d errors reported, want 1: %v", len(errs), errs)
			}
			err := errs[0]
			matched := false
			for _, w := range tc.want {
				matched = matched || errors.Is(err, w)
			}
			if !matched {
				t.Errorf("reported %q, want one of %v", err, tc.want)
			}
			if s := refusal(err); s == nil || len(err.Error()) <= len(s.Error())+len(`cookie "session" refused: `) {
				t.Errorf("reported %q: no reason beyond the sentinel", err)
			}
			if hasControl(err.Error()) {
				t.Errorf("reported %q: a control character or line break in the error text", err)
			}
			if got, want := resp.Header.Get("X-Session-Err"), strconv.Quote(err.Error()); got != want {
				t.Errorf("Session.Err %s, reported %s", got, want)
			}
			if sc := resp.Header.Values("Set-Cookie"); len(sc) != 0 {
				t.Errorf("a read-only handler sent Set-Cookie %q", sc)
			}
		})
	}
	if n := jkuHits.Load(); n != 0 {
		t.Errorf("the jku/x5u URL was fetched %d times", n)
	}
	t.Logf("%d hostile cases", len(cases))
}

// Line breaks that are not inside a header are refused by net/http before
// any handler runs; the answer is 400, never 5xx.
func TestBareLineBreaksInTheCookieHeader(t *testing.T) {
	for _, typ := range allTypes {
		srv := newHostileServer(t, typ, false)
		valid := tokenFor(typ, `{"user":"tom"}`)
		for name, cookie := range map[string]string{
			"bare CR":        "session=" + valid[:8] + "\r" + valid[8:],
			"NUL":            "session=" + valid[:8] + "\x00" + valid[8:],
			"obsolete fold":  "session=" + valid[:8] + "\r\n " + valid[8:],
			"DEL and escape": "session=" + valid[:8] + "\x7f\x1b" + valid[8:],
		} {
			t.Run(string(typ)+"/"+name, func(t *testing.T) {
				ran := srv.ran.Load()
				resp := rawGet(t, srv.Listener.Addr().String(), cookie)
				if resp.StatusCode >= 500 {
					t.Fatalf("status %d", resp.StatusCode)
				}
				if srv.ran.Load() != ran {
					// Reached the handler after all: then the usual rules hold.
					if resp.Header.Get("X-Session-Len") != "0" || len(srv.take()) != 1 {
						t.Errorf("handler ran: session %s keys, refusal not reported once", resp.Header.Get("X-Session-Len"))
					}
				} else if resp.StatusCode != 400 {
					t.Errorf("status %d without running the handler, want 400", resp.StatusCode)
				}
			})
		}
	}
}

// A key given twice in a cookie's JSON keeps its last value, as Python's
// json module does, so a Go and a Python service sharing the cookie agree
// on what it says (and on its "exp"). This is a decision, not a refusal:
// only a holder of the key can make such a jwt or fernet cookie.
func TestDuplicateJSONKeysKeepTheLastValue(t *testing.T) {
	for _, typ := range allTypes {
		srv := newHostileServer(t, typ, false)
		future := strconv.Itoa(hostileNow + 3600)
		for name, tc := range map[string]struct {
			payload string
			keys    string
			want    error
		}{
			"user twice":         {`{"user":"alice","user":"root"}`, "user", nil},
			"exp expired last":   {`{"u":1,"exp":` + future + `,"exp":1}`, "", ErrExpired},
			"exp valid last":     {`{"u":1,"exp":1,"exp":` + future + `}`, "u", nil},
			"nested object dupe": {`{"o":{"a":1,"a":2}}`, "o", nil},
		} {
			if typ != JWT && strings.HasPrefix(name, "exp") {
				continue
			}
			t.Run(string(typ)+"/"+name, func(t *testing.T) {
				resp := rawGet(t, srv.Listener.Addr().String(), "session="+tokenFor(typ, tc.payload))
				errs := srv.take()
				if resp.StatusCode != 200 || resp.Header.Get("X-Session-Keys") != tc.keys {
					t.Errorf("status %d, keys %q, want %q", resp.StatusCode, resp.Header.Get("X-Session-Keys"), tc.keys)
				}
				if tc.want == nil && len(errs) != 0 || tc.want != nil && (len(errs) != 1 || !errors.Is(errs[0], tc.want)) {
					t.Errorf("errors %v, want %v", errs, tc.want)
				}
			})
		}
	}
	// And the value that stays is the last one.
	c := mustCodec(t, Config{Type: Base64})
	v, err := c.Decode(tokenFor(Base64, `{"user":"alice","user":"root"}`))
	if err != nil || string(v["user"]) != `"root"` {
		t.Errorf("got %s, %v; want the last value, \"root\"", v["user"], err)
	}
}

// Values with separators, quotes, spaces, line breaks and header text,
// stored by a handler, give one Set-Cookie line whose value is cookie-safe
// and whose attributes are the configured ones; the browser sends the
// cookie back and the values come back exactly.
func TestStoredHostileValuesStayInsideTheCookie(t *testing.T) {
	hostile := []string{
		"a;b", "a,b", "a b", `"quoted"`, `\"`, "line\r\nSet-Cookie: evil=1; Domain=evil.example",
		"\r\n\r\nHTTP/1.1 200 OK", "; Path=/admin; Max-Age=999999999", "\x00\x01\x1f\x7f", "é ключ 😀",
		"</script><script>alert(1)</script>", strings.Repeat(";", 300), "=", "session=forged",
	}
	for _, typ := range allTypes {
		t.Run(string(typ), func(t *testing.T) {
			cfg := Config{Type: typ, SecretKey: hostileSecret, ErrorHandler: func(_ context.Context, err error) { t.Errorf("reported: %v", err) }}
			if typ == Base64 {
				cfg.SecretKey = ""
			}
			m, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := FromRequest(r)
				if r.URL.Path == "/set" {
					for i, v := range hostile {
						must(t, s.Set(v, v))
						must(t, s.Set(strconv.Itoa(i), v))
					}
					return
				}
				for i, v := range hostile {
					if s.GetString(v) != v || s.GetString(strconv.Itoa(i)) != v {
						w.WriteHeader(http.StatusConflict)
						fmt.Fprintf(w, "value %d: got %q and %q, want %q", i, s.GetString(v), s.GetString(strconv.Itoa(i)), v)
						return
					}
				}
			})))
			defer srv.Close()
			jar, _ := cookiejar.New(nil)
			client := srv.Client()
			client.Jar = jar
			resp, err := client.Get(srv.URL + "/set")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			lines := resp.Header.Values("Set-Cookie")
			if len(lines) != 1 {
				t.Fatalf("%d Set-Cookie lines: %q", len(lines), lines)
			}
			name, rest, _ := strings.Cut(lines[0], "=")
			value, attrs, _ := strings.Cut(rest, ";")
			if name != "session" || !cookieSafe(value) {
				t.Errorf("cookie %q=%q is not cookie-safe", name, value)
			}
			if want := " Path=/; Max-Age=1209600; HttpOnly; SameSite=Lax"; attrs != want {
				t.Errorf("attributes %q, want %q", attrs, want)
			}
			for k := range resp.Header {
				if k != "Set-Cookie" && k != "Vary" && k != "Cache-Control" && k != "Date" && k != "Content-Length" && k != "Content-Type" {
					t.Errorf("unexpected response header %q", k)
				}
			}
			resp, err = client.Get(srv.URL + "/get")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("read back: %d %s", resp.StatusCode, body)
			}
		})
	}
}

// A payload nested as deep as fits under the size cap is authentic data:
// it decodes, without a stack overflow, on every type.
func TestDeepNestingWithinTheSizeCap(t *testing.T) {
	for _, typ := range allTypes {
		depth := 1000
		if typ == Base64 {
			depth = 1500
		}
		payload := `{"a":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`
		token := tokenFor(typ, payload)
		if len(token) > MaxCookieSize {
			t.Fatalf("%s: %d bytes", typ, len(token))
		}
		c := mustCodec(t, Config{Type: typ, SecretKey: hostileSecret, Now: fixedClock(hostileNow)})
		v, err := c.Decode(token)
		if err != nil || len(v["a"]) != 2*depth {
			t.Errorf("%s: depth %d: %v", typ, depth, err)
		}
	}
}

// asgi-sessions turns a fernet secret of up to 32 characters into a key by
// padding it with '=': the first 16 bytes sign, the last 16 encrypt. A
// secret of 16 characters or fewer therefore encrypts with the public key
// "================": anyone can read such cookies (not forge them).
// SECURITY.md says so; this test keeps the claim true.
func TestShortFernetSecretsEncryptWithAPublicKey(t *testing.T) {
	// Such a secret is refused unless the configuration accepts the public
	// key, as an app sharing sessions with an asgi-sessions app must.
	if _, err := NewCodec(Config{Type: Fernet, SecretKey: "sessions-secret"}); !errors.Is(err, ErrInvalidSecret) {
		t.Errorf("a 15-character fernet secret: %v, want ErrInvalidSecret", err)
	}
	c := mustCodec(t, Config{Type: Fernet, SecretKey: "sessions-secret", InsecureAllowPublicFernetKey: true}) // 15 characters
	token, err := c.Encode(Values{"user": []byte(`"tom"`)})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.URLEncoding.DecodeString(token)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher([]byte(strings.Repeat("=", 16)))
	body := append([]byte{}, raw[25:len(raw)-32]...)
	cipher.NewCBCDecrypter(block, raw[9:25]).CryptBlocks(body, body)
	if !bytes.HasPrefix(body, []byte(`{"user":"tom"}`)) {
		t.Errorf("decrypted with the padding key: %q", body)
	}
	// With a 32-character secret the encryption half is secret too.
	c = mustCodec(t, Config{Type: Fernet, SecretKey: hostileSecret + "ab"})
	if token, err = c.Encode(Values{"user": []byte(`"tom"`)}); err != nil {
		t.Fatal(err)
	}
	raw, _ = base64.URLEncoding.DecodeString(token)
	body = append([]byte{}, raw[25:len(raw)-32]...)
	cipher.NewCBCDecrypter(block, raw[9:25]).CryptBlocks(body, body)
	if bytes.Contains(body, []byte("tom")) {
		t.Error("a 32-character secret's cookie decrypts with the padding key")
	}
}

// hostileConfig is the configuration of the hostile servers.
func hostileConfig(typ Type, browse bool) Config {
	cfg := Config{Type: typ, SecretKey: hostileSecret, Now: fixedClock(hostileNow)}
	if typ == Base64 {
		cfg.SecretKey = ""
	}
	if browse {
		cfg.MaxAge = BrowserSession
	}
	return cfg
}

// hasControl reports whether s holds a control character (C0, DEL, C1), a
// Unicode line or paragraph separator, or invalid UTF-8: anything that
// could forge a line in a log or a page that shows the text.
func hasControl(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

// checkHostileLoad sends the case's cookie value (what follows the first
// "session=") through Manager.Load and through the codec, and checks that
// both refuse it with a clean error: one wrapping the case's sentinel when
// exact, any sentinel otherwise, and no control character in its text.
func checkHostileLoad(t *testing.T, tc hostileCase, exact bool) {
	t.Helper()
	value := strings.TrimPrefix(tc.cookie, "session=")
	want := tc.want
	if !exact {
		want = errsAny
	}
	cfg := hostileConfig(tc.typ, tc.browse)
	var reported []error
	cfg.ErrorHandler = func(_ context.Context, err error) { reported = append(reported, err) }
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := m.Load(context.Background(), value)
	codecErr := func() error { _, err := m.Codec().Decode(value); return err }()
	for name, err := range map[string]error{"Manager.Load": s.Err(), "Codec.Decode": codecErr} {
		if name == "Codec.Decode" && value != "" && value[0] == '"' {
			continue // the quotes are the cookie layer's, and Decode is not
		}
		if err == nil {
			t.Errorf("%s accepted %q", name, value)
			continue
		}
		matched := false
		for _, w := range want {
			matched = matched || errors.Is(err, w)
		}
		if !matched {
			t.Errorf("%s: %q, want one of %v", name, err, want)
		}
		if hasControl(err.Error()) {
			t.Errorf("%s: %q: a control character or line break in the error text", name, err)
		}
	}
	if s.Len() != 0 || len(reported) != 1 {
		t.Errorf("Manager.Load: %d keys, %d errors reported", s.Len(), len(reported))
	}
}

// Every hostile cookie, sent through Manager.Load and the codecs rather
// than HTTP, is refused with an error whose text holds no control
// character: an ErrorHandler that logs it with %v or a page that shows
// Session.Err cannot be made to show a forged line.
func TestHostileCookiesThroughLoadGiveCleanErrors(t *testing.T) {
	for _, tc := range hostileCases(t, "http://127.0.0.1:1/jwks.json") {
		single := strings.Count(tc.cookie, "session=") == 1 && !strings.ContainsAny(tc.cookie, "\"; ,\t")
		tc := tc
		t.Run(tc.name, func(t *testing.T) { checkHostileLoad(t, tc, single || tc.loadOnly) })
	}
}

// Random cookie values, with line breaks and other control characters
// spliced into real tokens, never give an error with a control character
// in its text, nor a panic, nor an accepted value that was changed.
func TestRandomCookieValuesGiveCleanErrors(t *testing.T) {
	rng := mathrand.New(mathrand.NewSource(16))
	specials := []string{"\n", "\r", "\r\n", "\x00", "\x1b[31m", "\x7f", "\u2028", "\xff", "\t", " ", ";", `"`, ".", "=", "%0a"}
	for _, typ := range allTypes {
		cfg := hostileConfig(typ, false)
		cfg.ErrorHandler = func(context.Context, error) {}
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		valid := []string{tokenFor(typ, `{"user":"tom"}`), tokenFor(typ, `{"a":[1,2,{"b":"c"}],"n":1.5}`)}
		for i := 0; i < 3000; i++ {
			v := valid[rng.Intn(len(valid))]
			for n := rng.Intn(3) + 1; n > 0; n-- {
				at := rng.Intn(len(v) + 1)
				switch rng.Intn(3) {
				case 0:
					v = v[:at] + specials[rng.Intn(len(specials))] + v[at:]
				case 1:
					b := make([]byte, rng.Intn(8)+1)
					rng.Read(b)
					v = v[:at] + string(b) + v[at:]
				default:
					if at < len(v) {
						v = v[:at] + v[at+1:]
					}
				}
			}
			if v == valid[0] || v == valid[1] {
				continue
			}
			s := m.Load(context.Background(), v)
			_, codecErr := m.Codec().Decode(v)
			for _, err := range []error{s.Err(), codecErr} {
				if err != nil && hasControl(err.Error()) {
					t.Fatalf("%s: %q gave %q", typ, v, err)
				}
			}
			if s.Err() == nil && strings.ContainsAny(v, "\r\n") {
				t.Errorf("%s: accepted %q, a token with a line break", typ, v)
			}
		}
	}
}
