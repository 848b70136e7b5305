package gorilla

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cookiesession/cookiesession"
	"github.com/gorilla/securecookie"
)

// The messages of securecookie v1.1.2 errors that are not exported. Each is
// tested against a cookie securecookie itself refuses, so that a version
// that words them differently fails the tests rather than miscounting.
const (
	msgTooLong      = "securecookie: the value is too long"
	msgExpired      = "securecookie: expired timestamp"
	msgTooNew       = "securecookie: timestamp is too new"
	msgDecrypt      = "securecookie: the value could not be decrypted"
	msgBase64       = "securecookie: base64 decode failed"
	msgBadTimestamp = "securecookie: invalid timestamp"
)

// How far into securecookie's Decode an attempt got: an error met later
// says more about the value than one met earlier.
const (
	stageUnread        = iota // refused before any key was used (length, base64)
	stageUnauthentic          // no MAC match
	stageAuthenticated        // the MAC matched: timestamp, decryption, gob
)

// classify maps the errors of securecookie's Decode, one per key pair, to
// one error wrapping a cookiesession sentinel. The error of the pair that
// got furthest wins: a value whose MAC one pair accepts is judged by what
// that pair found (expired, undecryptable, not gob), not by the other
// pairs' MAC mismatches.
func classify(errs []error) error {
	var best error
	bestSentinel, bestStage := error(nil), -1
	for _, err := range errs {
		sentinel, stage := sentinelOf(err)
		if stage > bestStage {
			best, bestSentinel, bestStage = err, sentinel, stage
		}
	}
	if best == nil {
		return fmt.Errorf("%w: gorilla: no key pair", cookiesession.ErrMalformed)
	}
	return fmt.Errorf("%w: gorilla session cookie: %v", bestSentinel, best)
}

// sentinelOf returns the cookiesession sentinel for one error of
// securecookie's Decode, and the stage it was met at.
func sentinelOf(err error) (error, int) {
	if errors.Is(err, securecookie.ErrMacInvalid) {
		return cookiesession.ErrSignature, stageUnauthentic
	}
	msg := err.Error()
	var scErr securecookie.Error
	if !errors.As(err, &scErr) {
		// securecookie reports a value over its length limit with a plain
		// fmt.Errorf("%s: %d") that has lost its type: only the message
		// tells.
		if strings.HasPrefix(msg, msgTooLong) {
			return cookiesession.ErrTooLarge, stageUnread
		}
		return cookiesession.ErrMalformed, stageUnread
	}
	if !scErr.IsDecode() {
		// Usage and internal errors: the constructor leaves none to meet.
		return cookiesession.ErrMalformed, stageUnread
	}
	switch {
	case strings.HasPrefix(msg, msgBase64):
		return cookiesession.ErrMalformed, stageUnread
	case msg == msgExpired:
		return cookiesession.ErrExpired, stageAuthenticated
	case msg == msgTooNew:
		return cookiesession.ErrNotYetValid, stageAuthenticated
	case msg == msgDecrypt:
		return cookiesession.ErrSignature, stageAuthenticated
	case msg == msgBadTimestamp:
		return cookiesession.ErrMalformed, stageAuthenticated
	}
	// Deserialization: an authentic value that is not a gob-encoded
	// session map, claims more entries than its bytes hold (checkedGob),
	// or holds a type this program has not registered.
	return cookiesession.ErrMalformed, stageAuthenticated
}
