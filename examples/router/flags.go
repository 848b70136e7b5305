package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession"
)

// options are the command line's settings.
type options struct {
	addr           string
	sessionType    cookiesession.Type
	secret         string
	previous       stringList
	cookie         string
	maxAge         seconds
	rolling        bool
	lifetime       seconds
	revocation     bool
	redis          string // the Redis of a fleet's revocation list
	migrateFrom    cookiesession.Type
	migrateSecret  string
	migrateCookie  string
	maxSize        int
	compress       bool
	migrateFromSet bool
}

// parseFlags reads the command line (without the program name). Usage
// and errors go to out. A flag that cannot be parsed, or one that needs
// another (-migrate-secret without -migrate-from), is an error; what
// only the session configuration can judge (a secret too short for its
// type, -max-size out of range, -compress with fernet) is left to
// cookiesession.New.
func parseFlags(args []string, out io.Writer) (*options, error) {
	o := &options{sessionType: cookiesession.JWT}
	fs := flag.NewFlagSet("router", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.addr, "addr", "localhost:8080", "`address` to listen on")
	fs.Var(&o.sessionType, "type", "session `type`: base64, jwt, fernet, starlette, flask, django, iron-session or cookie-session")
	fs.StringVar(&o.secret, "secret", demoSecret, "`secret` key (iron-session: ID=PASSWORD or a password, id 1); the default is public")
	fs.Var(&o.previous, "previous-secret", "an old `secret` key, still read, never used to write (repeatable)")
	fs.StringVar(&o.cookie, "cookie", cookiesession.DefaultCookieName, "the session cookie's `name`")
	fs.Var(&o.maxAge, "max-age", "session lifetime in `seconds` since the cookie was written; 0: a browser-session cookie with no server-side expiry (default: the type's, 14 days; flask 31 days)")
	fs.BoolVar(&o.rolling, "rolling", false, "write the cookie again with a fresh expiry when a tenth of -max-age has passed since it was written, so that active users stay logged in")
	fs.Var(&o.lifetime, "lifetime", "longest a session lives in `seconds` from its login, however active (default 0: no limit)")
	fs.StringVar(&o.redis, "redis", "", "share the revocation list with a fleet through the Redis at `ADDR` (host:port or redis:// URL); implies -revocation")
	fs.BoolVar(&o.revocation, "revocation", false, "keep a revocation list in memory: /logout refuses replayed copies of the old cookie, /logout-everywhere works")
	fs.Func("migrate-from", "also read sessions of this `type`, and write them again in -type's format", func(s string) error {
		o.migrateFromSet = true
		return o.migrateFrom.Set(s)
	})
	fs.StringVar(&o.migrateSecret, "migrate-secret", "", "the `secret` key of the -migrate-from format")
	fs.StringVar(&o.migrateCookie, "migrate-cookie", "", "the `name` of the cookie the -migrate-from format is read from (default: its framework's, sessionid for django, session for the others)")
	fs.IntVar(&o.maxSize, "max-size", 0, "most `bytes` a session may take over several cookies (4096 to 16384; default 0: one cookie); base64, jwt and fernet")
	fs.BoolVar(&o.compress, "compress", false, "compress the session before signing it; base64 and jwt")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected argument %q", fs.Arg(0))
		fmt.Fprintln(out, err)
		fs.Usage()
		return nil, err
	}
	if !o.migrateFromSet {
		for _, name := range []string{"migrate-secret", "migrate-cookie"} {
			if set(fs, name) {
				err := fmt.Errorf("-%s needs -migrate-from", name)
				fmt.Fprintln(out, err)
				return nil, err
			}
		}
	}
	return o, nil
}

// set reports whether the flag name was given on the command line.
func set(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// config returns the session configuration the options ask for.
func (o *options) config() cookiesession.Config {
	cfg := cookiesession.Config{
		Type:               o.sessionType,
		SecretKey:          o.secret,
		PreviousSecretKeys: o.previous,
		CookieName:         o.cookie,
		MaxAge:             o.maxAge.configured(),
		Rolling:            o.rolling,
		Lifetime:           o.lifetime.d,
		MaxSize:            o.maxSize,
		Compress:           o.compress,
		Revocation:         o.revocationList(),
	}
	if o.migrateFromSet {
		cfg.MigrateFrom = []cookiesession.Migration{{
			Type:       o.migrateFrom,
			SecretKey:  o.migrateSecret,
			CookieName: o.migrationCookie(),
		}}
	}
	return cfg
}

// migrationCookie returns the name of the cookie the migration format is
// read from: -migrate-cookie, else the name its framework uses by default.
func (o *options) migrationCookie() string {
	switch {
	case o.migrateCookie != "":
		return o.migrateCookie
	case o.migrateFrom == cookiesession.Django:
		return "sessionid"
	}
	return cookiesession.DefaultCookieName
}

// revocationList returns the revocation list the options ask for, or nil
// for none. A list shared by several processes (Redis) is chosen here.
func (o *options) revocationList() cookiesession.RevocationList {
	if o.revocation {
		return cookiesession.NewMemoryRevocationList()
	}
	return nil
}

// seconds is a flag of whole seconds (0 or more) that remembers whether it
// was given: an absent -max-age means the type's default, -max-age 0 a
// browser-session cookie.
type seconds struct {
	d   time.Duration
	set bool
}

// maxSeconds keeps a number of seconds within time.Duration.
const maxSeconds = math.MaxInt64 / int64(time.Second)

func (s *seconds) Set(v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err != nil:
		return errors.New("want a whole number of seconds")
	case n < 0:
		return errors.New("want 0 or more seconds")
	case n > maxSeconds:
		return fmt.Errorf("want at most %d seconds", maxSeconds)
	}
	s.d, s.set = time.Duration(n)*time.Second, true
	return nil
}

func (s *seconds) String() string {
	if s == nil || !s.set {
		return ""
	}
	return strconv.FormatInt(int64(s.d/time.Second), 10)
}

// configured returns the duration as Config.MaxAge takes it: 0 (the
// type's default) when absent, BrowserSession for 0.
func (s seconds) configured() time.Duration {
	switch {
	case !s.set:
		return 0
	case s.d == 0:
		return cookiesession.BrowserSession
	}
	return s.d
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func (l *stringList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ", ")
}
