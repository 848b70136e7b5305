// Command cookiesession makes secrets for session cookies and encodes and
// decodes cookie values, with the same code as the library, so it reads and
// writes exactly what a server (Go or asgi-sessions) would.
//
//	cookiesession keygen [-type jwt|fernet] [-standard]
//	cookiesession encode -type T [-secret S] [-max-age SECONDS] JSON
//	cookiesession decode -type T [-secret S] [-max-age SECONDS] TOKEN
//
// decode prints the session's values as one JSON object and exits 0, or
// says on stderr why the cookie is refused and exits 1. -max-age defaults
// to 14 days; 0 turns the expiry check off.
package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage:
  cookiesession keygen [-type jwt|fernet] [-standard]
  cookiesession encode -type T [-secret S] [-max-age SECONDS] JSON
  cookiesession decode -type T [-secret S] [-max-age SECONDS] TOKEN
`

// errUsage marks errors in the command line, which print the usage.
var errUsage = errors.New("usage")

// run is the whole command, minus the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var out string
	var err error
	switch args[0] {
	case "keygen":
		out, err = keygen(args[1:], stderr)
	case "encode":
		out, err = encode(args[1:], stderr)
	case "decode":
		out, err = decode(args[1:], stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "cookiesession: %v\n%s", err, usage)
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "cookiesession: %s\n", strings.TrimPrefix(err.Error(), "cookiesession: "))
		return 1
	}
	fmt.Fprintln(stdout, out)
	return 0
}

// keygen prints a new random secret. For jwt: 32 random bytes in base64url.
// For fernet: 24 random bytes in base64url, 32 ASCII characters that
// asgi-sessions accepts too; with -standard, a 44-character Fernet key
// (32 random bytes), which only this package and other Fernet
// implementations accept.
func keygen(args []string, stderr io.Writer) (string, error) {
	fs := newFlagSet("keygen", stderr)
	sessionType := cookiesession.JWT
	fs.Var(&sessionType, "type", "session type: jwt or fernet")
	standard := fs.Bool("standard", false, "fernet: a standard 44-character Fernet key instead of a 32-character secret")
	if err := parse(fs, args, 0); err != nil {
		return "", err
	}
	n, enc := 32, base64.RawURLEncoding
	switch {
	case sessionType == cookiesession.Fernet && *standard:
		enc = base64.URLEncoding
	case sessionType == cookiesession.Fernet:
		n = 24
	case sessionType != cookiesession.JWT:
		return "", fmt.Errorf("%w: keygen -type is jwt or fernet (base64 sessions have no secret)", errUsage)
	}
	key := make([]byte, n)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	return enc.EncodeToString(key), nil
}

func encode(args []string, stderr io.Writer) (string, error) {
	codec, fs, err := codecFromFlags("encode", args, stderr)
	if err != nil {
		return "", err
	}
	var values cookiesession.Values
	if err := json.Unmarshal([]byte(fs.Arg(0)), &values); err != nil || values == nil {
		return "", fmt.Errorf("the session must be a JSON object: %.60q", fs.Arg(0))
	}
	return codec.Encode(values)
}

func decode(args []string, stderr io.Writer) (string, error) {
	codec, fs, err := codecFromFlags("decode", args, stderr)
	if err != nil {
		return "", err
	}
	values, err := codec.Decode(fs.Arg(0))
	if err != nil {
		return "", err
	}
	var out strings.Builder
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(values); err != nil {
		return "", err
	}
	return strings.TrimSuffix(out.String(), "\n"), nil
}

// codecFromFlags parses the flags that encode and decode share and the
// one argument they take, and returns the codec they describe.
func codecFromFlags(name string, args []string, stderr io.Writer) (cookiesession.Codec, *flag.FlagSet, error) {
	fs := newFlagSet(name, stderr)
	var cfg cookiesession.Config
	fs.Var(&cfg.Type, "type", "session type: base64, jwt or fernet (required)")
	fs.StringVar(&cfg.SecretKey, "secret", "", "secret key (required for jwt and fernet)")
	maxAge := fs.Int("max-age", int(cookiesession.DefaultMaxAge/time.Second), "max age in seconds; 0 turns the expiry check off")
	if err := parse(fs, args, 1); err != nil {
		return nil, nil, err
	}
	switch {
	case *maxAge == 0:
		cfg.MaxAge = cookiesession.BrowserSession
	case *maxAge < 0:
		return nil, nil, fmt.Errorf("%w: -max-age must not be negative", errUsage)
	default:
		cfg.MaxAge = time.Duration(*maxAge) * time.Second
	}
	codec, err := cookiesession.NewCodec(cfg)
	return codec, fs, err
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses args into fs and checks that exactly nArgs arguments remain.
func parse(fs *flag.FlagSet, args []string, nArgs int) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() != nArgs {
		return fmt.Errorf("%w: %s takes %d argument(s), got %d", errUsage, fs.Name(), nArgs, fs.NArg())
	}
	return nil
}
