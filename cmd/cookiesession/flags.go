package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession"
)

// maxMaxAge is the largest -max-age, in seconds, that a time.Duration holds.
const maxMaxAge = math.MaxInt64 / int64(time.Second)

// maxInput bounds what the command reads from a secret file or from
// standard input: far more than any secret, session or cookie header.
const maxInput = 1 << 20

// sessionFlags are the flags that encode and decode share: what a server's
// Config holds.
type sessionFlags struct {
	typ        cookiesession.Type
	secret     string
	secretFile string
	previous   []string
	maxAge     int64
	maxAgeSet  bool // -max-age given: else the type's default
	name       string
	maxSize    int
	compress   bool
}

// addSessionFlags defines the shared flags on fs.
func addSessionFlags(fs *flag.FlagSet) *sessionFlags {
	f := &sessionFlags{}
	fs.Var(typeFlag{&f.typ}, "type", "session type: "+typeList+" (required)")
	fs.StringVar(&f.secret, "secret", "", "the secret (visible in ps and shell history: prefer -secret-file or $"+secretEnv+")")
	fs.StringVar(&f.secretFile, "secret-file", "", "read the secret from this file (one trailing newline removed)")
	fs.Func("previous-secret", "an older secret, tried after the current one when decoding (repeatable)", func(s string) error {
		if s == "" {
			return errors.New("empty secret")
		}
		f.previous = append(f.previous, s)
		return nil
	})
	fs.Func("max-age", "session lifetime in seconds; 0 turns the expiry check off (default: the type's, 1209600 = 14 days, flask 2678400 = 31 days)", func(s string) error {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return errors.New("not a whole number of seconds")
		}
		f.maxAge, f.maxAgeSet = n, true
		return nil
	})
	fs.StringVar(&f.name, "name", cookiesession.DefaultCookieName, "the session cookie's name")
	fs.IntVar(&f.maxSize, "max-size", 0, "let a session take several cookies, up to this many bytes of Cookie header (4096 to 16384; base64, jwt, fernet); 0: one cookie")
	fs.BoolVar(&f.compress, "compress", false, "compress the session's JSON when that makes it shorter (base64, jwt)")
	return f
}

// config returns the Config the flags describe, with the secret found as
// the usage text says. needSecret is false where no secret is used
// (decode -unverified). Every error is a usage error.
func (f *sessionFlags) config(c *cli, needSecret bool) (cookiesession.Config, error) {
	cfg := cookiesession.Config{
		Type:               f.typ,
		CookieName:         f.name,
		PreviousSecretKeys: f.previous,
		MaxSize:            f.maxSize,
		Compress:           f.compress,
		// The command reports what it finds itself.
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		ErrorHandler: func(context.Context, error) {},
	}
	if cfg.Type == "" {
		return cfg, usagef("-type is required: %s", typeList)
	}
	switch {
	case !f.maxAgeSet && cfg.Type == cookiesession.Flask:
		cfg.MaxAge = cookiesession.DefaultFlaskMaxAge
	case !f.maxAgeSet:
		cfg.MaxAge = cookiesession.DefaultMaxAge
	case f.maxAge == 0:
		cfg.MaxAge = cookiesession.BrowserSession
	case f.maxAge < 0 || f.maxAge > maxMaxAge:
		return cfg, usagef("-max-age %d is out of range: 1 to %d seconds, or 0 to turn the expiry check off", f.maxAge, maxMaxAge)
	default:
		cfg.MaxAge = time.Duration(f.maxAge) * time.Second
	}
	if cfg.Type == cookiesession.Base64 || !needSecret {
		return cfg, nil
	}
	secret, err := f.findSecret(c)
	if err != nil {
		return cfg, err
	}
	cfg.SecretKey = secret
	return cfg, nil
}

// findSecret returns the secret from -secret, -secret-file or the
// environment, in that order of precedence.
func (f *sessionFlags) findSecret(c *cli) (string, error) {
	switch {
	case f.secret != "" && f.secretFile != "":
		return "", usagef("give the secret with -secret or with -secret-file, not both")
	case f.secret != "":
		return f.secret, nil
	case f.secretFile != "":
		return readSecretFile(c, f.secretFile)
	case c.getenv(secretEnv) != "":
		return c.getenv(secretEnv), nil
	}
	return "", usagef("%s sessions need a secret: set %s, or give -secret-file PATH or -secret S", f.typ, secretEnv)
}

// readSecretFile returns the contents of the file at path, one trailing
// newline ("\n" or "\r\n") removed. A secret that still ends or starts with
// white space is used as it is, with a warning: it is probably a mistake.
func readSecretFile(c *cli, path string) (string, error) {
	file, err := os.Open(path)
	if err != nil {
		return "", usagef("-secret-file: %w", err)
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxInput+1))
	switch {
	case err != nil:
		return "", usagef("-secret-file: %w", err)
	case len(data) > maxInput:
		return "", usagef("-secret-file %s: more than %d bytes, not a secret", path, maxInput)
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	data = bytes.TrimSuffix(data, []byte("\r"))
	if len(data) == 0 {
		return "", usagef("-secret-file %s is empty", path)
	}
	if s := string(data); strings.TrimSpace(s) != s {
		fmt.Fprintf(c.stderr, "cookiesession: warning: the secret in %s starts or ends with white space (after one trailing newline was removed); it is used as it is\n", path)
	}
	return string(data), nil
}

// typeList names the session types -type takes.
const typeList = "base64, jwt, fernet, starlette, flask, django, iron-session or cookie-session"

// typeFlag is the -type flag: a cookiesession.Type whose parse error does
// not repeat the value, which the flag package's message already quotes.
type typeFlag struct{ t *cookiesession.Type }

func (f typeFlag) String() string {
	if f.t == nil {
		return ""
	}
	return f.t.String()
}

func (f typeFlag) Set(s string) error {
	if err := f.t.Set(s); err != nil {
		return errors.New("want " + typeList)
	}
	return nil
}

// newFlagSet returns a flag set that reports errors to its caller only, so
// that run prints each error once.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses args into fs and checks that exactly nArgs arguments remain
// (any number if nArgs is negative).
func parse(fs *flag.FlagSet, args []string, nArgs int) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%s: %w", fs.Name(), err)
	}
	if nArgs >= 0 && fs.NArg() != nArgs {
		return usagef("%s takes %d argument(s), got %d (flags go before arguments)", fs.Name(), nArgs, fs.NArg())
	}
	return nil
}

// readArg returns arg, or standard input if arg is "-", with surrounding
// white space removed.
func readArg(c *cli, arg string) (string, error) {
	if arg != "-" {
		return arg, nil
	}
	data, err := io.ReadAll(io.LimitReader(c.stdin, maxInput+1))
	switch {
	case err != nil:
		return "", fmt.Errorf("reading standard input: %w", err)
	case len(data) > maxInput:
		return "", usagef("standard input: more than %d bytes", maxInput)
	}
	return strings.TrimSpace(string(data)), nil
}
