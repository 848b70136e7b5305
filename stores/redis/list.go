// Package redis is a [cookiesession.RevocationList] shared by a fleet of
// servers through Redis: a session revoked through any server is refused
// by every server within a second.
//
//	import csredis "github.com/cookiesession/cookiesession/stores/redis"
//
//	rdb := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6380"})
//	list, err := csredis.New(ctx, rdb, csredis.Options{})
//	if err != nil { ... } // Redis unreachable within ctx, or bad options
//	defer list.Close()
//
// # How it works
//
// Every server keeps a local view of the whole list in memory, and
// Revoked reads only that view: a request never waits on Redis. The view
// is loaded from Redis when the list starts, kept current by a pub/sub
// channel that every revocation publishes to, and loaded again after every
// reconnection, so a server that lost its connection catches up with what
// it missed. Each revocation is one key in Redis that expires by itself
// when the cookies it covers would be refused anyway (SET with PXAT), so
// the list stays as small as the revocations still live; the local views
// drop expired entries too.
//
// Revocations only accumulate: reloading merges what Redis holds into the
// view and forgets nothing before its expiry, so an entry deleted by hand
// in Redis stays enforced by the servers that had seen it.
//
// # Faults
//
// While Redis is unreachable, each server keeps enforcing everything it
// knows. For [Options.Grace] (30 s by default) after losing Redis it
// answers from its view with a nil error: a Redis restart or failover is
// invisible to users. After the grace time a session the view does not
// know to be revoked is refused (fail closed, the default: revoked true
// with an error wrapping [cookiesession.ErrRevocationUnavailable]) or, with
// [Options.FailOpen], accepted with that error. A list that has never
// loaded the view (started with [Options.StartUnavailable] while Redis
// was down) has no grace: it knows nothing to enforce.
//
// Revocations written while Redis is down cannot reach the other servers:
// RevokeSession and RevokeUser then record the revocation in the local
// view only and return an error wrapping ErrRevocationUnavailable.
//
// Redis must persist the list across its own restarts for revocations to
// outlive them (run it with --appendonly yes). Without persistence a
// restarted Redis comes back empty: servers that were running keep
// enforcing what they had seen, but a server started afterwards does not
// know of the revocations made before the restart.
//
// Expiries are absolute times from the server that revoked, and Redis
// applies them with its own clock: keep the clocks of the servers and of
// Redis in sync (NTP). A single Redis (or a Sentinel-managed primary, with
// goredis.NewFailoverClient) is supported; Redis Cluster is not.
package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cookiesession/cookiesession"
	goredis "github.com/redis/go-redis/v9"
)

// Defaults of [Options].
const (
	// DefaultPrefix is the prefix of the list's keys and channel.
	DefaultPrefix = "cookiesession:revoked:"
	// DefaultGrace is how long after losing Redis the list still answers
	// from its local view with a nil error.
	DefaultGrace = 30 * time.Second
	// DefaultHealthCheck is how often the list pings Redis on its
	// subscription while no message arrives.
	DefaultHealthCheck = time.Second
	// DefaultTimeout bounds each Redis operation the list makes by itself
	// (subscribing, each step of a load) and the wait at Close.
	DefaultTimeout = 5 * time.Second
)

// Options configures a [List]. The zero value is usable: every zero field
// takes its default.
type Options struct {
	// Prefix is put before every key the list writes and before its
	// channel's name ("events"). Default DefaultPrefix. Lists with
	// different prefixes on one Redis are independent.
	Prefix string
	// Grace is how long after losing Redis the list keeps answering from
	// its local view with a nil error, counted from when the loss was
	// noticed. Default DefaultGrace (30 s: longer than a Redis restart or
	// a Sentinel failover, short enough that a server cut off from Redis
	// soon stops silently missing revocations). Negative is an error.
	Grace time.Duration
	// FailOpen chooses what Revoked answers, after Grace, for a session its
	// local view does not know to be revoked: false (the default) fails
	// closed (revoked true: every session is refused until Redis is back);
	// true fails open (revoked false: sessions are accepted). Either way
	// the error wraps cookiesession.ErrRevocationUnavailable, and a
	// session known to be revoked stays revoked with a nil error.
	FailOpen bool
	// StartUnavailable lets New return a working list when Redis cannot be
	// reached before its context is done: the list keeps trying in the
	// background and, until it has loaded the list once, Revoked answers
	// as after Grace (it knows nothing to enforce). By default (false) New
	// returns an error instead, so a server does not start without the
	// list.
	StartUnavailable bool
	// HealthCheck is how long the subscription may stay silent before the
	// list pings Redis; a ping without reply within another HealthCheck
	// marks Redis unreachable. Default DefaultHealthCheck. Negative is an
	// error.
	HealthCheck time.Duration
	// Timeout bounds each Redis operation the list makes by itself:
	// subscribing, each batch of a load. Default DefaultTimeout. Negative
	// is an error. It is also the longest wait between two attempts to
	// reconnect.
	Timeout time.Duration
	// OnError, when set, is called with every error the list meets in the
	// background: a lost or refused connection (wrapping
	// cookiesession.ErrRevocationUnavailable) and each malformed entry or
	// message (wrapping ErrMalformedEntry). It is called from the list's
	// goroutine and must not block.
	OnError func(error)
}

// Stats are counters of a [List], for monitoring.
type Stats struct {
	// Entries is the number of entries of the local view (expired ones
	// not yet dropped included).
	Entries int
	// Available is true while the list is subscribed and loaded.
	Available bool
	// Loads counts full loads of the list from Redis (one at start, one
	// per reconnection).
	Loads uint64
	// Messages counts revocations heard on the channel.
	Messages uint64
	// Malformed counts entries and messages ignored as malformed.
	Malformed uint64
	// Disconnects counts losses of the connection to Redis.
	Disconnects uint64
}

// A List is a [cookiesession.RevocationList] shared through Redis. Make
// one with [New]; it is safe for concurrent use, and owns one goroutine
// and one Redis connection (its subscription) until [List.Close].
type List struct {
	client  *goredis.Client
	opts    Options
	channel string
	view    *cookiesession.MemoryRevocationList

	// downSince is 0 while the list is subscribed and loaded, otherwise
	// the Unix nanoseconds since which it is not (1 before the first
	// load: no grace).
	downSince atomic.Int64

	loads, messages, malformed, disconnects atomic.Uint64

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	ready  chan struct{} // closed at the first load
	once   sync.Once

	mu sync.Mutex
	ps *goredis.PubSub // the current subscription, closed by Close
}

var _ cookiesession.RevocationList = (*List)(nil)

// errUnavailable is what Revoked returns after the grace time: made once,
// so that the answer does not allocate.
var errUnavailable = fmt.Errorf("%w: Redis unreachable beyond the grace time", cookiesession.ErrRevocationUnavailable)

// New returns a List on client, which must not be nil. It subscribes to
// the list's channel and loads the list before it returns. If that does
// not succeed before ctx is done, New returns an error wrapping
// cookiesession.ErrRevocationUnavailable and no list, unless
// opts.StartUnavailable is set: then it returns the list, which keeps
// trying (see Options.StartUnavailable). Invalid options give an error
// wrapping cookiesession.ErrInvalidConfig. Give ctx a deadline (a few
// seconds): without one, New waits for Redis as long as it takes. The
// list's goroutine runs until Close, not until ctx is done.
func New(ctx context.Context, client *goredis.Client, opts Options) (*List, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: stores/redis: nil client", cookiesession.ErrInvalidConfig)
	}
	if opts.Grace < 0 || opts.HealthCheck < 0 || opts.Timeout < 0 {
		return nil, fmt.Errorf("%w: stores/redis: negative Grace, HealthCheck or Timeout", cookiesession.ErrInvalidConfig)
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.Grace == 0 {
		opts.Grace = DefaultGrace
	}
	if opts.HealthCheck == 0 {
		opts.HealthCheck = DefaultHealthCheck
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	l := &List{
		client:  client,
		opts:    opts,
		channel: opts.Prefix + "events",
		view:    cookiesession.NewMemoryRevocationList(),
		done:    make(chan struct{}),
		ready:   make(chan struct{}),
	}
	l.downSince.Store(1)
	l.ctx, l.cancel = context.WithCancel(context.Background())
	go l.run()
	select {
	case <-l.ready:
		return l, nil
	case <-ctx.Done():
	}
	if opts.StartUnavailable {
		return l, nil
	}
	l.Close()
	return nil, fmt.Errorf("%w: stores/redis: no list loaded from Redis before the start timed out: %v",
		cookiesession.ErrRevocationUnavailable, context.Cause(ctx))
}

// Revoked reports whether a session is revoked, from the local view only:
// it never waits on Redis and does not allocate. A session the view knows
// to be revoked is revoked with a nil error. Otherwise, while Redis is
// reachable or within the grace time, the answer is false with a nil
// error; after it, the answer is Options.FailOpen's decision with an error
// wrapping cookiesession.ErrRevocationUnavailable. Ids, users and times
// are compared as by [cookiesession.MemoryRevocationList.Revoked].
func (l *List) Revoked(ctx context.Context, id, user string, created time.Time) (bool, error) {
	if r, _ := l.view.Revoked(ctx, id, user, created); r {
		return true, nil
	}
	down := l.downSince.Load()
	if down == 0 || time.Now().UnixNano()-down <= int64(l.opts.Grace) {
		return false, nil
	}
	return !l.opts.FailOpen, errUnavailable
}

// RevokeSession revokes the session id until expires, in Redis (which
// tells every server) and in the local view. Revoking an id again keeps
// the later expiry. An empty id or a zero expires is an error; an expires
// already past records nothing and returns nil. When Redis cannot be
// reached within ctx, the revocation is kept in the local view only and
// the error wraps cookiesession.ErrRevocationUnavailable.
func (l *List) RevokeSession(ctx context.Context, id string, expires time.Time) error {
	if err := l.view.RevokeSession(ctx, id, expires); err != nil {
		return err
	}
	exp := expires.UnixMilli()
	if exp < time.Now().UnixMilli() {
		return nil
	}
	err := revokeSessionScript.Run(ctx, l.client,
		[]string{keyOf(l.opts.Prefix, false, id)},
		strconv.FormatInt(exp, 10), l.channel, id).Err()
	if err != nil {
		return fmt.Errorf("%w: stores/redis: revoke session: %v", cookiesession.ErrRevocationUnavailable, err)
	}
	return nil
}

// RevokeUser revokes every session of user created at or before `before`
// (to the millisecond), until expires, in Redis and in the local view. Of
// concurrent revocations of one user, from any servers, the latest before
// and the latest expires are kept. An empty user or a zero before or
// expires is an error; an expires already past records nothing and
// returns nil. When Redis cannot be reached within ctx, the revocation is
// kept in the local view only and the error wraps
// cookiesession.ErrRevocationUnavailable.
func (l *List) RevokeUser(ctx context.Context, user string, before, expires time.Time) error {
	if err := l.view.RevokeUser(ctx, user, before, expires); err != nil {
		return err
	}
	exp := expires.UnixMilli()
	if exp < time.Now().UnixMilli() {
		return nil
	}
	err := revokeUserScript.Run(ctx, l.client,
		[]string{keyOf(l.opts.Prefix, true, user)},
		strconv.FormatInt(before.UnixMilli(), 10), strconv.FormatInt(exp, 10), l.channel, user).Err()
	if err != nil {
		return fmt.Errorf("%w: stores/redis: revoke user: %v", cookiesession.ErrRevocationUnavailable, err)
	}
	return nil
}

// Stats returns the list's counters.
func (l *List) Stats() Stats {
	return Stats{
		Entries:     l.view.Len(),
		Available:   l.downSince.Load() == 0,
		Loads:       l.loads.Load(),
		Messages:    l.messages.Load(),
		Malformed:   l.malformed.Load(),
		Disconnects: l.disconnects.Load(),
	}
}

// Close stops the list's goroutine and closes its subscription; it does
// not close the client. Afterwards Revoked answers from the view as after
// the grace time. Close returns an error only if the goroutine did not
// stop within Options.Timeout; calling it again is harmless.
func (l *List) Close() error {
	l.once.Do(func() {
		l.cancel()
		l.mu.Lock()
		if l.ps != nil {
			_ = l.ps.Close()
		}
		l.mu.Unlock()
	})
	select {
	case <-l.done:
		l.downSince.CompareAndSwap(0, 1)
		return nil
	case <-time.After(l.opts.Timeout):
		return errors.New("cookiesession/stores/redis: Close: the list's goroutine did not stop in time")
	}
}
