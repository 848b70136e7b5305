// Command cookiesession makes secrets for session cookies and encodes and
// decodes cookie values with the library's own code, so it reads and writes
// exactly what a server (Go, asgi-sessions, Starlette, Flask, Django,
// iron-session or Express cookie-session) would.
//
//	cookiesession keygen [-type jwt|fernet] [-standard]
//	cookiesession encode -type T [-max-age SECONDS] [-name NAME] [-max-size BYTES] [-compress] JSON
//	cookiesession decode -type T [-max-age SECONDS] [-v] TOKEN
//	cookiesession decode -type T [-max-age SECONDS] [-v] [-name NAME] [-max-size BYTES] -cookies 'a=1; session=...'
//	cookiesession decode -type T -unverified TOKEN | -cookies HEADER
//
// T is base64, jwt, fernet, starlette, flask, django, iron-session or
// cookie-session. Install it with
//
//	go install github.com/cookiesession/cookiesession/cmd/cookiesession@latest
//
// The secret (every type but base64) is best given in the environment
// variable COOKIESESSION_SECRET or in a file (-secret-file PATH, one
// trailing newline removed); -secret S also works but shows the secret in
// ps and in shell history. -secret wins over -secret-file, which wins over
// the environment; giving both -secret and -secret-file is an error.
// -previous-secret S (repeatable) adds older secrets that decode tries
// after the current one. Secrets are the frameworks' own: the SECRET_KEY
// of a Flask or Django app, an iron-session password as ID=PASSWORD (or a
// plain password, id 1), one key of a cookie-session keys list per flag.
//
// decode prints the session's JSON object as it stands in the cookie (a
// Flask session in Flask's tagged form, such as {" t":[1,"two"]} for a
// tuple; reserved keys such as a jwt's iat included), numbers exactly as
// the cookie holds them. It reads the cookie as a server does
// (Manager.LoadHeader for -cookies: chunks, a cookie-session .sig cookie,
// several cookies of one name). -v also says on stderr which key decoded
// the cookie and, where the cookie states them, when the session was
// created, when the cookie was written and when it expires. A fernet
// secret of 16 characters or fewer is accepted by decode (asgi-sessions
// apps use such secrets), with a note on stderr that its encryption key is
// public.
//
// encode prints a session that is one cookie as the bare cookie value; a
// session of several cookies (cookie-session's value and .sig, chunks of
// -max-size or of a large iron session) as one name=value line per
// cookie, which joined with "; " make a Cookie header for decode -cookies.
//
// Exit status: 0 done; 1 the cookie is refused (decode), its payload is not
// a session (decode -unverified), or the session does not fit its cookies
// (encode); 2 a usage error: an unknown command or flag, a missing -type, a
// missing or invalid secret, -max-age or -max-size out of range, JSON for
// encode that is not an object or holds a reserved key, -unverified for
// fernet or iron-session, a cookie-session TOKEN without -cookies.
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
  cookiesession encode -type T [-max-age SECONDS] [-name NAME] [-max-size BYTES] [-compress] JSON
  cookiesession decode -type T [-max-age SECONDS] [-v] TOKEN
  cookiesession decode -type T [-max-age SECONDS] [-v] [-name NAME] [-max-size BYTES] -cookies 'a=1; session=...'
  cookiesession decode -type T -unverified TOKEN | -cookies HEADER
`

const help = synopsis + `
T is the session type: base64, jwt, fernet (asgi-sessions), starlette,
flask, django, iron-session or cookie-session (Express). JSON, TOKEN and
the -cookies header may be "-": read from standard input. Flags come
before arguments.

The secret (every type but base64), preferably:
  COOKIESESSION_SECRET=S   in the environment
  -secret-file PATH        the file's contents, one trailing newline removed
or, visible to other users in ps and kept in shell history:
  -secret S
-secret wins over -secret-file, which wins over the environment; giving both
-secret and -secret-file is an error.
  -previous-secret S       an older secret: decode tries it after the current
                           one, encode never uses it (repeatable, in order)
Secrets are the frameworks' own: the SECRET_KEY of a Flask, Django or
Starlette app; an iron-session password as ID=PASSWORD (or a plain password,
id 1; at least 32 characters); one key of a cookie-session keys list per
flag (the first key is -secret).

keygen   prints a new random secret: for jwt (the default) 32 random bytes
         in base64url; for fernet 32 characters that asgi-sessions accepts
         too; with -type fernet -standard a 44-character Fernet key.
encode   prints the cookie a server would write for the session JSON (a
         JSON object; jwt sessions cannot hold the claims exp and nbf): a
         session of one cookie as its bare value; a session of several
         cookies (cookie-session's value and .sig, chunks) as one
         name=value line per cookie, the lines joined with "; " being a
         Cookie header that decode -cookies reads.
decode   prints the session of a cookie as the JSON object it holds (Flask's
         tagged form for Flask; reserved keys such as iat included), after
         checking its signature and expiry as a server would.
  -max-age SECONDS  the session's lifetime; default the type's: 1209600 (14
                    days), flask 2678400 (31 days); 0 turns the expiry check
                    off (as a browser-session cookie)
  -name NAME        the session cookie's name, default "session"
  -max-size BYTES   sessions may take several cookies, up to BYTES of Cookie
                    header (4096 to 16384; base64, jwt and fernet); decode
                    then reassembles <NAME>, <NAME>.1, ... from -cookies
  -compress         compress the session's JSON when shorter (base64, jwt;
                    compressed cookies decode without it)
  -cookies HEADER   a whole Cookie header as a browser sends it, read as a
                    server reads it: the cookies named NAME (at most 4
                    tried, the first that decodes wins), their chunks
                    (NAME.1 ..., iron-session's NAME.0 ...) and
                    cookie-session's NAME.sig. cookie-session needs it.
  -v                also say on stderr which key decoded the cookie, and
                    when the session was created, written and expires, as
                    far as the cookie states it
  -unverified       print the payload WITHOUT checking the signature or the
                    expiry, labelled "UNVERIFIED: signature not checked" on
                    stderr, for a cookie whose secret you do not have: jwt,
                    base64, starlette, flask and django (compressed payloads
                    inflated, at most 64 KiB), cookie-session (the value
                    cookie). Fernet and iron-session cookies are encrypted:
                    it cannot show them.
A fernet secret of 16 characters or fewer leaves the whole encryption key
public; decode reads such cookies anyway and says so on stderr.

Exit status:
  0  done
  1  decode: the cookie is refused (forged, tampered with, expired, malformed,
     too large, no cookie named NAME in -cookies); decode -unverified: the
     payload is not a session; encode: the session does not fit its cookies
  2  usage: an unknown command or flag, a missing -type, a missing or invalid
     secret, -max-age or -max-size out of range, encode's JSON not a JSON
     object or holding a reserved key, -unverified for fernet or
     iron-session, a cookie-session TOKEN without -cookies
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
