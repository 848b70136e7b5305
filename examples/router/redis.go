package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession"
	csredis "github.com/cookiesession/cookiesession/stores/redis"
	goredis "github.com/redis/go-redis/v9"
)

// Revocation in the example: -revocation keeps the list in this process;
// -redis ADDR shares it with every process started with the same -redis
// and -secret, which then form a fleet: a logout through any of them is
// refused by all of them within a second.

// redisStartTimeout bounds how long the example waits for Redis at start:
// a fleet member that cannot load the revocation list does not start.
const redisStartTimeout = 5 * time.Second

// redisTimeout is the list's Options.Timeout: the longest wait for one of
// its own Redis operations (subscribing, a batch of a load: milliseconds
// on a sound network), and the longest pause between two attempts to
// reconnect after losing Redis. Its default (5 s) would let a server
// catch up with revocations made during an outage up to 5 s after Redis
// is back; half a second keeps every server within the fleet's 1 s
// propagation window once Redis answers again.
const redisTimeout = 500 * time.Millisecond

// revocationPatience is how long a logout keeps trying to record its
// revocation in Redis, and revocationAttempt how long each try may take.
// A Redis restart or failover takes a second or two; a logout made
// meanwhile waits for it rather than failing, since a revocation recorded
// only in one server's memory does not reach the others.
const (
	revocationPatience = 5 * time.Second
	revocationAttempt  = time.Second
)

// revocationList returns the Config.Revocation the flags ask for: nil
// when neither is given, a [cookiesession.MemoryRevocationList] for
// -revocation, or a list shared through the Redis at redisAddr for -redis
// (which implies -revocation). With a nil error, the second result
// releases the Redis list and client (for the others it does nothing). A
// Redis unreachable within redisStartTimeout (an error wrapping
// cookiesession.ErrRevocationUnavailable), or an address that does not
// parse, is an error.
func revocationList(inProcess bool, redisAddr string) (cookiesession.RevocationList, func(), error) {
	switch {
	case redisAddr != "":
		ctx, cancel := context.WithTimeout(context.Background(), redisStartTimeout)
		defer cancel()
		return newRedisList(ctx, redisAddr)
	case inProcess:
		return cookiesession.NewMemoryRevocationList(), func() {}, nil
	}
	return nil, func() {}, nil
}

// newRedisList connects to the Redis at addr ("host:port", or a
// redis:// or rediss:// URL carrying a password or a database number) and
// loads the shared revocation list, waiting for Redis until ctx is done:
// then the error wraps cookiesession.ErrRevocationUnavailable. The
// list fails closed (stores/redis's default): if Redis stays unreachable
// beyond its grace time (30 s), sessions it does not know to be revoked
// are refused until Redis is back. Background errors (a lost connection,
// a malformed entry) are logged.
func newRedisList(ctx context.Context, addr string) (cookiesession.RevocationList, func(), error) {
	opts := &goredis.Options{Addr: addr}
	if strings.Contains(addr, "://") {
		var err error
		if opts, err = goredis.ParseURL(addr); err != nil {
			return nil, nil, fmt.Errorf("-redis %s: %w", addr, err)
		}
	}
	client := goredis.NewClient(opts)
	list, err := csredis.New(ctx, client, csredis.Options{
		Timeout: redisTimeout,
		OnError: func(err error) { log.Printf("revocation list: %v", err) },
	})
	if err != nil {
		_ = client.Close()
		return nil, nil, fmt.Errorf("-redis %s: %w", opts.Addr, err)
	}
	release := func() {
		_ = list.Close()
		_ = client.Close()
	}
	return patientList{List: list, patience: revocationPatience, attempt: revocationAttempt}, release, nil
}

// patientList is a Redis revocation list whose revocations keep trying,
// for up to patience, while Redis is unreachable: a logout made during a
// Redis restart then reaches every server once Redis is back, instead of
// failing. Revoked is the list's own (memory only, never waits).
type patientList struct {
	*csredis.List
	patience time.Duration // total time to keep trying
	attempt  time.Duration // longest wait for one try
}

// RevokeSession revokes one session id, trying again while Redis is
// unreachable (see patientList).
func (p patientList) RevokeSession(ctx context.Context, id string, expires time.Time) error {
	return p.retry(ctx, func(ctx context.Context) error { return p.List.RevokeSession(ctx, id, expires) })
}

// RevokeUser revokes every session of user created at or before before,
// trying again while Redis is unreachable (see patientList).
func (p patientList) RevokeUser(ctx context.Context, user string, before, expires time.Time) error {
	return p.retry(ctx, func(ctx context.Context) error { return p.List.RevokeUser(ctx, user, before, expires) })
}

// retry calls revoke until it succeeds, fails for a reason other than an
// unreachable Redis, patience has passed, or ctx is done; it returns the
// last error. Revocations are idempotent in stores/redis (an entry keeps
// the later time), so trying again is safe.
func (p patientList) retry(ctx context.Context, revoke func(context.Context) error) error {
	deadline := time.Now().Add(p.patience)
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, p.attempt)
		err := revoke(attemptCtx)
		cancel()
		if err == nil || !errors.Is(err, cookiesession.ErrRevocationUnavailable) || !time.Now().Before(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}
