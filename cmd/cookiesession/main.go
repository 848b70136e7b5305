// Command cookiesession makes secrets for session cookies and encodes and
// decodes cookie values with the library's own code, so it reads and writes
// exactly what a server (Go or asgi-sessions) would.
//
//	cookiesession keygen [-type jwt|fernet] [-standard]
//	cookiesession encode -type T [-max-age SECONDS] [-name NAME] JSON
//	cookiesession decode -type T [-max-age SECONDS] [-v] TOKEN
//	cookiesession decode -type T [-max-age SECONDS] [-v] [-name NAME] -cookies 'a=1; session=...'
//	cookiesession decode -type jwt|base64 -unverified TOKEN
//
// Install it with
//
//	go install github.com/cookiesession/cookiesession/cmd/cookiesession@latest
//
// The secret (jwt and fernet) is best given in the environment variable
// COOKIESESSION_SECRET or in a file (-secret-file PATH, one trailing newline
// removed); -secret S also works but shows the secret in ps and in shell
// history. -secret wins over -secret-file, which wins over the environment;
// giving both -secret and -secret-file is an error. -previous-secret S
// (repeatable) adds older secrets that decode tries after the current one.
//
// decode prints the session's values as one JSON object, numbers exactly as
// the cookie holds them. -v also says on stderr which key decoded the cookie
// and, where the cookie states them, when it was written and when it
// expires. A fernet secret of 16 characters or fewer is accepted by decode
// (asgi-sessions apps use such secrets), with a note on stderr that its
// encryption key is public.
//
// Exit status: 0 done; 1 the cookie is refused (decode), its payload is not
// a session (decode -unverified), or the session does not fit a cookie
// (encode); 2 a usage error: an unknown command or flag, a missing -type, a
// missing or invalid secret, -max-age out of range, JSON for encode that is
// not an object or holds a reserved key, -unverified for fernet.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)) }

// Exit codes.
const (
	exitOK      = 0
	exitRefused = 1 // the input is refused: a bad cookie, a session too large
	exitUsage   = 2 // the command line is wrong
)

// secretEnv is the environment variable holding the secret.
const secretEnv = "COOKIESESSION_SECRET"

const synopsis = `usage:
  cookiesession keygen [-type jwt|fernet] [-standard]
  cookiesession encode -type T [-max-age SECONDS] [-name NAME] JSON
  cookiesession decode -type T [-max-age SECONDS] [-v] TOKEN
  cookiesession decode -type T [-max-age SECONDS] [-v] [-name NAME] -cookies 'a=1; session=...'
  cookiesession decode -type jwt|base64 -unverified TOKEN
`

const help = synopsis + `
T is the session type: base64, jwt or fernet. JSON, TOKEN and the -cookies
header may be "-": read from standard input. Flags come before arguments.

The secret (jwt and fernet sessions), preferably:
  COOKIESESSION_SECRET=S   in the environment
  -secret-file PATH        the file's contents, one trailing newline removed
or, visible to other users in ps and kept in shell history:
  -secret S
-secret wins over -secret-file, which wins over the environment; giving both
-secret and -secret-file is an error.
  -previous-secret S       an older secret: decode tries it after the current
                           one, encode never uses it (repeatable, in order)

keygen   prints a new random secret: for jwt (the default) 32 random bytes
         in base64url; for fernet 32 characters that asgi-sessions accepts
         too; with -type fernet -standard a 44-character Fernet key.
encode   prints the cookie value a server would write for the session JSON
         (a JSON object; jwt sessions cannot hold the claims exp and nbf).
decode   prints the session of a cookie value as one JSON object, after
         checking its signature and expiry as a server would.
  -max-age SECONDS  the session's lifetime, default 1209600 (14 days); 0 turns
                    the expiry check off (as a browser-session cookie)
  -name NAME        the session cookie's name, default "session"
  -cookies HEADER   a whole Cookie header as a browser sends it: the cookies
                    named NAME are tried in order (at most 4), the first that
                    decodes wins
  -v                also say on stderr which key decoded the cookie, and when
                    it was written and expires where the cookie states it
  -unverified       jwt and base64 only: print the payload WITHOUT checking
                    the signature or the expiry, labelled "UNVERIFIED:
                    signature not checked" on stderr; for a cookie whose
                    secret you do not have. Fernet cookies are encrypted: it
                    cannot show them.
A fernet secret of 16 characters or fewer leaves the whole encryption key
public; decode reads such cookies anyway and says so on stderr.

Exit status:
  0  done
  1  decode: the cookie is refused (forged, tampered with, expired, malformed,
     too large, no cookie named NAME in -cookies); decode -unverified: the
     payload is not a session; encode: the session does not fit a cookie
  2  usage: an unknown command or flag, a missing -type, a missing or invalid
     secret, -max-age out of range, encode's JSON not a JSON object or holding
     a reserved key, -unverified for fernet
`

// A usageError is an error in the command line: it exits 2 and prints the
// synopsis.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError with a formatted message; %w works.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// cli is one run of the command: its standard streams and environment.
type cli struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// run is the whole command, minus the process: it returns the exit code.
// getenv looks up environment variables (os.Getenv).
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, synopsis)
		return exitUsage
	}
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	var out string
	var err error
	switch args[0] {
	case "keygen":
		out, err = c.keygen(args[1:])
	case "encode":
		out, err = c.encode(args[1:])
	case "decode":
		out, err = c.decode(args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, help)
		return exitOK
	default:
		err = usagef("unknown command %q", args[0])
	}
	var usage *usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, help)
		return exitOK
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "cookiesession: %s\n%s", message(err), synopsis)
		return exitUsage
	case err != nil:
		fmt.Fprintf(stderr, "cookiesession: %s\n", message(err))
		return exitRefused
	}
	fmt.Fprintln(stdout, out)
	return exitOK
}

// message is err's text without the library's "cookiesession: " prefixes,
// which the command adds once itself.
func message(err error) string {
	return strings.ReplaceAll(err.Error(), "cookiesession: ", "")
}
