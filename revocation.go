package cookiesession

import (
	"context"
	"errors"
	"time"
)

// A RevocationList records revoked sessions: one session by its id (a
// logout whose old cookie must not be replayed), or every session of a
// user created at or before a time (logout everywhere, after a password
// change). A cookie session keeps no other state on the server; the list
// is the only shared state, and it stays small because each entry may be
// forgotten once the cookies it covers would be refused anyway.
//
// Cost rule: Revoked is called on every request that reads a session, so
// an implementation answers it from memory. It must not make a network
// round trip in steady state; a list shared by a fleet keeps a local view
// that its backend keeps current, and only its revocations (rare: logouts)
// reach the network.
//
// Error rule: Revoked returns a nil error when it can tell for sure. A
// non-nil error wraps [ErrRevocationUnavailable] and means the list could
// not tell for sure (its backend unreachable beyond its grace time); the
// revoked result is then the list's own fail-open (false) or fail-closed
// (true) decision, and the caller follows it and reports the error. A
// session the list knows to be revoked is reported revoked with a nil
// error even while its backend is unreachable. RevokeSession and
// RevokeUser return an error when the revocation was not recorded, so the
// caller can tell the user the logout did not reach every server.
//
// Creation times are compared at millisecond precision, the precision the
// cookie carries: a session created in the same millisecond as a
// logout-everywhere is revoked by it. When several RevokeUser calls for
// one user race, the latest `before` wins, whatever the order in which
// they arrive. Implementations are safe for concurrent use.
type RevocationList interface {
	// Revoked reports whether the session with this id, of this user (""
	// when the session names none), created at created, is revoked: its id
	// was revoked, or its user's sessions created at or before a
	// logout-everywhere time were revoked. A non-nil error means the list
	// could not tell for sure (its backend unreachable beyond its grace
	// time); revoked is then the list's fail-open/fail-closed decision.
	Revoked(ctx context.Context, id, user string, created time.Time) (revoked bool, err error)
	// RevokeSession revokes one session id; the entry may be forgotten after
	// expires (when the cookie would be refused anyway).
	RevokeSession(ctx context.Context, id string, expires time.Time) error
	// RevokeUser revokes every session of user created at or before
	// `before`; the entry may be forgotten after expires.
	RevokeUser(ctx context.Context, user string, before, expires time.Time) error
}

// Errors of session revocation.
var (
	// ErrRevoked: an authentic, unexpired cookie whose session was revoked
	// (its id, or every session of its user up to a time). The request goes
	// on with an empty session.
	ErrRevoked = errors.New("cookiesession: session revoked")
	// ErrRevocationUnavailable: the revocation list could not tell whether
	// a session is revoked, or could not record a revocation, because its
	// backend is unreachable. See [RevocationList] for what Revoked returns
	// with it.
	ErrRevocationUnavailable = errors.New("cookiesession: revocation list unavailable")
)

// Errors of a revocation that names no session or no user, or no time: a
// programming error of the caller, never a cookie's fault.
var (
	errEmptyID    = errors.New("cookiesession: revoke: empty session id")
	errEmptyUser  = errors.New("cookiesession: revoke: empty user")
	errZeroExpiry = errors.New("cookiesession: revoke: zero expiry (the entry would never be forgotten)")
	errZeroBefore = errors.New("cookiesession: revoke: zero time for the sessions of the user to revoke")
)
