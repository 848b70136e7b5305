package redis

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// The layout in Redis, under a prefix P (DefaultPrefix unless configured):
//
//	key  P + "s:" + id    value "<expires>"           (a revoked session)
//	key  P + "u:" + user  value "<before> <expires>"  (a revoked user)
//	channel P + "events"  message "s <expires> <id>" or "u <before> <expires> <user>"
//
// Times are decimal Unix milliseconds. Each key expires in Redis at its
// <expires> (SET ... PXAT), so the list needs no trimming. Revocations are
// written by a Lua script that keeps the later before and the later
// expires of what is already there and publishes the result, in one step:
// concurrent revocations of one user end with the latest before whatever
// their order, and every subscriber hears what was stored.

// ErrMalformedEntry: a key under the list's prefix, or a message on its
// channel, that this package did not write (a value that does not parse).
// It is ignored, and reported through [Options.OnError] and
// [Stats].Malformed; it never revokes anything, and never panics.
var ErrMalformedEntry = errors.New("cookiesession/stores/redis: malformed revocation entry")

// entry is one revocation as stored and published.
type entry struct {
	user    bool
	name    string // session id or user
	before  int64  // users only
	expires int64
}

// keyOf returns the Redis key of a session id or a user.
func keyOf(prefix string, user bool, name string) string {
	if user {
		return prefix + "u:" + name
	}
	return prefix + "s:" + name
}

// parseKeyValue parses one key found under prefix and its value.
func parseKeyValue(prefix, key, value string) (entry, error) {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok || len(rest) < 3 || rest[1] != ':' || (rest[0] != 's' && rest[0] != 'u') {
		return entry{}, fmt.Errorf("%w: key %q", ErrMalformedEntry, key)
	}
	e := entry{user: rest[0] == 'u', name: rest[2:]}
	var err error
	if e.user {
		b, x, found := strings.Cut(value, " ")
		if !found {
			return entry{}, fmt.Errorf("%w: key %q: value %q", ErrMalformedEntry, key, value)
		}
		if e.before, err = parseMilli(b); err == nil {
			e.expires, err = parseMilli(x)
		}
	} else {
		e.expires, err = parseMilli(value)
	}
	if err != nil {
		return entry{}, fmt.Errorf("%w: key %q: value %q", ErrMalformedEntry, key, value)
	}
	return e, nil
}

// parseMessage parses one message of the channel.
func parseMessage(msg string) (entry, error) {
	bad := func() (entry, error) {
		return entry{}, fmt.Errorf("%w: message %q", ErrMalformedEntry, msg)
	}
	kind, rest, ok := strings.Cut(msg, " ")
	if !ok {
		return bad()
	}
	var e entry
	var err error
	switch kind {
	case "s":
		var x string
		if x, e.name, ok = strings.Cut(rest, " "); !ok {
			return bad()
		}
		e.expires, err = parseMilli(x)
	case "u":
		e.user = true
		var b, x string
		if b, rest, ok = strings.Cut(rest, " "); !ok {
			return bad()
		}
		if x, e.name, ok = strings.Cut(rest, " "); !ok {
			return bad()
		}
		if e.before, err = parseMilli(b); err == nil {
			e.expires, err = parseMilli(x)
		}
	default:
		return bad()
	}
	if err != nil || e.name == "" {
		return bad()
	}
	return e, nil
}

// parseMilli parses a decimal Unix millisecond time as the scripts write
// it: an optional minus sign and at most 18 digits.
func parseMilli(s string) (int64, error) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || len(digits) > 18 {
		return 0, strconv.ErrSyntax
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	return strconv.ParseInt(s, 10, 64)
}

// matchPattern is the SCAN MATCH pattern of every key under prefix, with
// the glob characters of the prefix escaped.
func matchPattern(prefix string) string {
	var b strings.Builder
	for _, r := range prefix {
		switch r {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('*')
	return b.String()
}

// The revocation scripts. Numbers are compared with tonumber but written
// back as the strings they came as: Lua numbers are doubles, and only the
// strings are exact. A value already stored that does not parse is
// replaced. The key expires at the kept expiry; the result is published.
//
// KEYS[1] the key; ARGV: expires, channel, session id.
var revokeSessionScript = goredis.NewScript(`
local exp = ARGV[1]
local cur = redis.call('GET', KEYS[1])
if cur and string.match(cur, '^%-?%d+$') and tonumber(cur) > tonumber(exp) then
  exp = cur
end
redis.call('SET', KEYS[1], exp, 'PXAT', exp)
redis.call('PUBLISH', ARGV[2], 's ' .. exp .. ' ' .. ARGV[3])
return exp
`)

// KEYS[1] the key; ARGV: before, expires, channel, user.
var revokeUserScript = goredis.NewScript(`
local before, exp = ARGV[1], ARGV[2]
local cur = redis.call('GET', KEYS[1])
if cur then
  local cb, ce = string.match(cur, '^(%-?%d+) (%-?%d+)$')
  if cb then
    if tonumber(cb) > tonumber(before) then before = cb end
    if tonumber(ce) > tonumber(exp) then exp = ce end
  end
end
redis.call('SET', KEYS[1], before .. ' ' .. exp, 'PXAT', exp)
redis.call('PUBLISH', ARGV[3], 'u ' .. before .. ' ' .. exp .. ' ' .. ARGV[4])
return before .. ' ' .. exp
`)
