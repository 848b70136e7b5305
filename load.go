package cookiesession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

// Reading a session: the request's cookies through the cookie layer to
// the codec, and what the codec found through the lifecycle rules (judge).

// Load returns a session for the given cookie value ("" for none), to be
// decoded on first use. It is for frameworks that do not use net/http
// middleware; save it with [Manager.Save] (or [Manager.SaveCookies]).
// Errors are reported with ctx. For types and options whose session can
// take several cookies (iron-session, cookie-session, Config.MaxSize,
// Config.MigrateFrom) use [Manager.LoadHeader].
func (m *Manager) Load(ctx context.Context, cookieValue string) *Session {
	return &Session{m: m, ctx: ctx, source: cookieValue}
}

// LoadHeader returns a session for a request's whole Cookie header, as a
// browser sends it ("a=1; session=…"), to be decoded on first use: the
// session's cookies are picked from it as the middleware picks them (its
// name, its chunks or signature cookie, the cookies of Config.MigrateFrom).
// Save it with [Manager.SaveCookies]. Errors are reported with ctx.
func (m *Manager) LoadHeader(ctx context.Context, cookieHeader string) *Session {
	return &Session{m: m, ctx: ctx, source: cookieHeader, fromHeader: true}
}

// maxCookieTries bounds how many cookies (or chunk sets) of the session's
// name one request can make the server try to decode.
const maxCookieTries = 4

// read decodes the session's cookies into s: its values, whether the
// request carried a cookie of its name, why it was refused, and what it
// says of its own life. The caller holds s.mu.
func (m *Manager) read(s *Session) {
	defer func() {
		if s.err != nil {
			m.stats.refusal(s.err)
		}
	}()
	switch {
	case s.req != nil:
		m.readLines(s, s.req.Header["Cookie"]) // s.req stays: log records name the request
	case s.fromHeader:
		m.readLines(s, []string{s.source})
		s.source = ""
	case s.source != "":
		s.present = true
		m.readCandidates(s, []string{unquoteCookie(s.source)}, nil)
		s.source = ""
	}
}

// readLines decodes the session from Cookie header lines.
func (m *Manager) readLines(s *Session, lines []string) {
	if m.fast {
		// One cookie of the session's name, no migration: read the header
		// in place, without keeping the request's cookies.
		var err error
		tries := 0
		for _, line := range lines {
			for line != "" {
				var part string
				part, line, _ = strings.Cut(line, ";")
				name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
				if !ok || name != m.cfg.CookieName {
					continue
				}
				s.present = true
				if value == "" {
					continue
				}
				if tries == maxCookieTries {
					s.err = err
					return
				}
				tries++
				if tryErr := m.accept(s, unquoteCookie(value), m.codec, nil); tryErr == nil {
					return
				} else if err == nil {
					err = tryErr
				}
			}
		}
		s.err = err
		return
	}
	s.cookies = parseCookies(lines, m.owns)
	candidates, err := m.layout.candidates(s.cookies)
	s.present = len(s.cookies) > 0
	if err != nil {
		err = m.refused(err)
	}
	m.readCandidates(s, candidates, err)
}

// owns reports whether a request cookie belongs to the session or to one
// of its migration sources.
func (m *Manager) owns(name string) bool {
	if m.layout.owns(name) {
		return true
	}
	for i := range m.migrations {
		if m.migrations[i].layout.owns(name) {
			return true
		}
	}
	return false
}

// readCandidates tries the session's own candidate values, then each
// migration source's: the first accepted wins; if none is, s.err is the
// first refusal (or joinErr, the cookie layer's).
// The caller counts the refusal.
func (m *Manager) readCandidates(s *Session, candidates []string, joinErr error) {
	err := joinErr
	for _, value := range candidates {
		tryErr := m.accept(s, value, m.codec, nil)
		if tryErr == nil {
			return
		}
		if err == nil {
			err = tryErr
		}
	}
	// A migration source is read only when the request carries no cookie
	// of the session's own: the own cookie is newer, even when refused.
	// A source of the session's own cookie name (the default) is the
	// exception: its cookie is the one the own codec just refused.
	ownRefused := len(candidates) > 0 || joinErr != nil
	for i := range m.migrations {
		src := &m.migrations[i]
		if ownRefused && src.name != m.cfg.CookieName {
			continue
		}
		values, joinErr := src.layout.candidates(s.cookies)
		if joinErr != nil && err == nil {
			err = m.refused(joinErr)
		}
		for _, value := range values {
			tryErr := m.accept(s, value, src.codec, src)
			if tryErr == nil {
				return
			}
			// The own codec finds another format's cookie malformed;
			// the source that reads that format says better why.
			if err == nil || errors.Is(err, ErrMalformed) && !errors.Is(tryErr, ErrMalformed) {
				err = tryErr
			}
		}
	}
	s.err = err
}

// refused wraps a refusal of the session's cookie.
func (m *Manager) refused(err error) error {
	return onSide(ErrCookieRefused, fmt.Errorf("cookie %q refused: %w", m.cfg.CookieName, err))
}

// accept decodes one candidate value with codec (the Manager's own, or a
// migration source's) and judges it; on success it fills s and returns
// nil.
//
// The Manager's own base64, jwt or fernet codec stops at the validated
// JSON object: one scan of it finds what the checks read (the claims, the
// reserved keys, the revocation user), and the session keeps the object,
// building its values only when something needs them (see
// Session.valuesLocked). An object with a key that is not plain is split
// now, so that its keys are unquoted as splitObject unquotes them. Every
// other codec gives the values at once.
func (m *Manager) accept(s *Session, value string, codec sessionCodec, src *migrationSource) error {
	maxAge := m.cfg.MaxAge
	if src != nil {
		maxAge = src.maxAge
	}
	var (
		values  Values
		object  []byte
		members objectMembers
		meta    format.Meta
		err     error
	)
	if oc := objectCodecOf(codec); oc != nil && src == nil && !s.eager {
		values, object, meta, err = m.openObject(oc, value, &members)
	} else {
		values, meta, err = codec.open(value)
	}
	if err != nil {
		return m.refused(preferDateError(meta, err, maxAge, m.cfg.Now()))
	}
	var life lifeFacts
	if object == nil {
		typ := m.cfg.Type
		if src != nil && src.typ != "" {
			typ = src.typ // the source's cookies keep the source type's names
		}
		if life, err = takeReserved(values, typ); err != nil {
			return m.refused(err)
		}
		if src != nil {
			m.dropHidden(s, values, src)
		}
		members.user = m.userMember(values)
	} else if life, err = lifeOf(&members.reserved, m.cfg.Type); err != nil {
		return m.refused(err)
	}
	v := m.judge(s.ctx, s, meta, life, m.userOf(members.user), maxAge, src != nil, deriveOf(codec))
	if v.err != nil {
		return m.refused(v.err)
	}
	if life.created.IsZero() {
		life.created = v.created
	}
	s.values, s.object, s.life, s.reissue = values, object, life, v.reissue
	if src != nil {
		m.stats.migrated[src.index].Add(1)
	} else {
		m.stats.decoded(meta.Key)
	}
	return nil
}

// dropHidden removes from a migrated session's values, once the source's
// own reserved keys are taken out, the app keys that this Manager's
// sessions keep for themselves (jwt: "exp", "nbf", "iat", "jti"; the other
// types: "_cs_id"; every type: "_cs_created", "_flashes"), logging each
// within the flood guard. Kept, they would be read as this Manager's
// claims or reserved keys (a logout, or a save refused on every request).
func (m *Manager) dropHidden(s *Session, values Values, src *migrationSource) {
	for key := range values {
		if !m.hidden(key) {
			continue
		}
		delete(values, key)
		attrs := [4]slog.Attr{slog.String("key", truncate(key, 40)), slog.String("cookie", src.name), slog.String("type", string(m.cfg.Type))}
		m.logLimited(s.ctx, slog.LevelWarn, "migrated key dropped", "cookiesession: a migrated session's key dropped: this type's sessions keep it for themselves", attrs[:3])
	}
}

// objectCodec is a sessionCodec that can stop at the validated JSON
// object of a cookie value: base64, jwt and fernet. open is openObject,
// then values.
type objectCodec interface {
	sessionCodec
	// openObject authenticates and decodes value into its JSON object,
	// validated (json.Valid), with the Meta of what it found; the claims
	// of the object are not checked yet.
	openObject(value string) (object []byte, meta format.Meta, err error)
	// values splits an object openObject returned into the session's
	// values, and checks and removes the format's claims, as open does.
	values(object []byte, meta format.Meta) (Values, format.Meta, error)
	// claims checks the format's claims (jwt "exp" and "nbf") as found
	// in the object, and returns meta with what they say.
	claims(meta format.Meta, exp, nbf rawMember) (format.Meta, error)
}

// objectCodecOf returns codec as an objectCodec if it is one, else nil:
// by its concrete type, which costs less than an assertion to an
// interface on every request.
func objectCodecOf(codec sessionCodec) objectCodec {
	switch c := codec.(type) {
	case *jwtCodec:
		return c
	case *fernetCodec:
		return c
	case base64Codec:
		// Asserted, not converted: converting the struct would copy it
		// to the heap.
		oc, _ := codec.(objectCodec)
		return oc
	}
	return nil
}

// openObject opens value with the Manager's own codec, keeping its JSON
// object: object, and members filled in, when every key of the object is
// plain (see scanMembers), else values, split, as codec.open gives them.
func (m *Manager) openObject(codec objectCodec, value string, members *objectMembers) (Values, []byte, format.Meta, error) {
	object, meta, err := codec.openObject(value)
	if err != nil {
		return nil, nil, meta, err
	}
	if !m.scanMembers(object, members) {
		values, meta, err := codec.values(object, meta)
		return values, nil, meta, err
	}
	if meta, err = codec.claims(meta, members.exp, members.nbf); err != nil {
		return nil, nil, meta, err
	}
	return nil, object, meta, nil
}

// deriveOf returns how judgeDates treats codec's cookies that state only
// their expiry.
func deriveOf(codec sessionCodec) deriveMode {
	switch c := codec.(type) {
	case *jwtCodec:
		return deriveStrict
	case *formatCodec:
		return c.derive()
	}
	return deriveNone
}

// userMember looks up Config.RevocationUserKey in a session's values,
// once the reserved keys are taken out of them; absent without
// Config.Revocation.
func (m *Manager) userMember(v Values) rawMember {
	if m.cfg.Revocation == nil {
		return rawMember{}
	}
	return memberOf(v, m.cfg.RevocationUserKey)
}

// userOf returns the user a session's member under
// Config.RevocationUserKey names: a string, or a number's text; "" for
// none.
func (m *Manager) userOf(user rawMember) string {
	if m.cfg.Revocation == nil || !user.ok {
		return ""
	}
	raw := user.raw
	if str, ok := plainString(raw); ok {
		return str
	}
	if isJSONNumber(raw) {
		return string(raw)
	}
	if val, err := unmarshalValue(raw); err == nil {
		if str, ok := val.(string); ok {
			return str
		}
	}
	return ""
}

// migrationSource is one of Config.MigrateFrom, ready to read.
type migrationSource struct {
	index  int
	name   string
	typ    Type // the source's session type; "" for an app's Codec
	codec  sessionCodec
	layout layout
	maxAge time.Duration
}

// newMigrations builds the sources of c.MigrateFrom.
func newMigrations(c *Config) ([]migrationSource, error) {
	out := make([]migrationSource, len(c.MigrateFrom))
	for i, mf := range c.MigrateFrom {
		src := &out[i]
		src.index = i
		name := mf.CookieName
		if name == "" {
			name = c.CookieName
		}
		src.name = name
		if mf.Codec != nil {
			src.codec = customCodec{mf.Codec}
			src.layout = singleLayout{name}
			continue
		}
		sub := Config{
			Type: mf.Type, SecretKey: mf.SecretKey, PreviousSecretKeys: mf.PreviousSecretKeys,
			InsecureAllowPublicFernetKey: mf.InsecureAllowPublicFernetKey,
			CookieName:                   name, MaxAge: mf.MaxAge, Path: c.Path, Domain: c.Domain,
			Secure: c.Secure, SameSite: c.SameSite, Now: c.Now, Logger: c.Logger,
		}
		sub, err := sub.withDefaults()
		if err == nil && sub.Type == Base64 && c.Revocation != nil {
			// As for the Manager's own type: a client forges any base64
			// session, with a fresh creation time and no id, so no
			// revocation would hold.
			err = fmt.Errorf("%w: Revocation needs signed sessions, and a base64 cookie is anyone's to forge: migrate from base64 before turning revocation on", ErrInvalidConfig)
		}
		if err == nil {
			src.codec, err = newCodec(&sub)
		}
		if err == nil {
			src.layout, err = newLayout(&sub)
		}
		if err != nil {
			return nil, fmt.Errorf("MigrateFrom[%d]: %w", i, err)
		}
		src.maxAge, src.typ = sub.MaxAge, sub.Type
	}
	return out, nil
}

// customCodec is a Codec the app supplies, such as a migration source's:
// its Decode authenticates and judges dates itself.
type customCodec struct{ Codec }

// open decodes with the app's Codec, whose values the session then
// keeps and writes as they are: each must be one JSON value, or the
// cookie is refused (ErrMalformed).
func (c customCodec) open(value string) (Values, format.Meta, error) {
	meta := format.Meta{Key: -1}
	v, err := c.Decode(value)
	if err != nil {
		return nil, meta, err
	}
	for k, raw := range v {
		if !validValue(raw) {
			return nil, meta, fmt.Errorf("%w: the value of %.40q that the migration's Codec decoded is not one JSON value", ErrMalformed, k)
		}
	}
	return v, meta, nil
}

// seal gives the app's codec one map: the values with the members extra.
func (c customCodec) seal(v Values, extra []member, _ time.Time) (string, error) {
	if len(extra) == 0 {
		return c.Encode(v)
	}
	return c.Encode(withMembers(v, extra))
}
