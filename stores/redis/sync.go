package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/cookiesession/cookiesession"
	goredis "github.com/redis/go-redis/v9"
)

// scanBatch is the COUNT of each SCAN of a load, and so the most keys of
// one MGET.
const scanBatch = 1000

// sweepBatch is the most expired entries of the local view removed under
// one hold of its lock.
const sweepBatch = 4096

// run keeps the local view current until Close: subscribe, load, follow
// the channel; after any failure, mark the list down and start again after
// a pause that doubles up to Options.Timeout.
func (l *List) run() {
	defer close(l.done)
	defer l.downSince.Store(1)
	pause := 50 * time.Millisecond
	for l.ctx.Err() == nil {
		wasUp, err := l.follow()
		if l.ctx.Err() != nil {
			return
		}
		l.markDown()
		l.report(fmt.Errorf("%w: stores/redis: %v", cookiesession.ErrRevocationUnavailable, err))
		if wasUp {
			pause = 50 * time.Millisecond
		}
		select {
		case <-l.ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, l.opts.Timeout)
	}
}

// markDown records that the list lost Redis, keeping the time of the
// first loss (and the no-grace mark of a list never loaded).
func (l *List) markDown() {
	if l.downSince.CompareAndSwap(0, time.Now().UnixNano()) {
		l.disconnects.Add(1)
	}
}

// follow subscribes, loads the list, and applies the channel's messages
// until the connection fails or the list is closed. wasUp tells whether
// the load succeeded.
func (l *List) follow() (wasUp bool, err error) {
	ps := l.client.Subscribe(l.ctx)
	l.mu.Lock()
	if l.ctx.Err() != nil { // closed meanwhile
		l.mu.Unlock()
		_ = ps.Close()
		return false, l.ctx.Err()
	}
	l.ps = ps
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.ps = nil
		l.mu.Unlock()
		_ = ps.Close()
	}()

	// Subscribe before loading: a revocation made during the load is
	// either in the load or heard on the channel (or both: applying an
	// entry twice changes nothing).
	if err := ps.Subscribe(l.ctx, l.channel); err != nil {
		return false, fmt.Errorf("subscribe: %w", err)
	}
	msg, err := ps.ReceiveTimeout(l.ctx, l.opts.Timeout)
	if err != nil {
		return false, fmt.Errorf("subscribe: %w", err)
	}
	if _, ok := msg.(*goredis.Subscription); !ok {
		return false, fmt.Errorf("subscribe: unexpected reply %v", msg)
	}
	if err := l.load(); err != nil {
		return false, fmt.Errorf("load: %w", err)
	}
	l.loads.Add(1)
	l.downSince.Store(0)
	l.markReady()

	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(l.ctx, l.opts.HealthCheck)
		if err != nil {
			if !isTimeout(err) || l.ctx.Err() != nil {
				return true, err
			}
			if pinged {
				return true, fmt.Errorf("no reply to a ping within %v", l.opts.HealthCheck)
			}
			if err := ps.Ping(l.ctx); err != nil {
				return true, fmt.Errorf("ping: %w", err)
			}
			pinged = true
			l.sweep()
			continue
		}
		pinged = false
		switch m := msg.(type) {
		case *goredis.Message:
			e, err := parseMessage(m.Payload)
			if err != nil {
				l.malformed.Add(1)
				l.report(err)
				continue
			}
			l.messages.Add(1)
			l.apply(e)
		case *goredis.Pong, *goredis.Subscription:
		}
	}
}

// markReady closes ready at the first load.
func (l *List) markReady() {
	select {
	case <-l.ready:
	default:
		close(l.ready)
	}
}

// load merges every entry under the prefix into the local view: SCAN
// the keys, MGET their values, batch by batch.
func (l *List) load() error {
	pattern := matchPattern(l.opts.Prefix)
	var cursor uint64
	for {
		ctx, cancel := context.WithTimeout(l.ctx, l.opts.Timeout)
		keys, next, err := l.client.Scan(ctx, cursor, pattern, scanBatch).Result()
		if err != nil {
			cancel()
			return err
		}
		if len(keys) > 0 {
			values, err := l.client.MGet(ctx, keys...).Result()
			if err != nil {
				cancel()
				return err
			}
			for i, v := range values {
				s, ok := v.(string)
				if !ok {
					continue // expired since the SCAN, or not a string key
				}
				e, err := parseKeyValue(l.opts.Prefix, keys[i], s)
				if err != nil {
					l.malformed.Add(1)
					l.report(err)
					continue
				}
				l.apply(e)
			}
		}
		cancel()
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

// apply merges one entry into the local view. An entry the view refuses
// (an empty name, a zero time) is malformed: this package writes none.
func (l *List) apply(e entry) {
	var err error
	if e.user {
		err = l.view.RevokeUser(l.ctx, e.name, time.UnixMilli(e.before), time.UnixMilli(e.expires))
	} else {
		err = l.view.RevokeSession(l.ctx, e.name, time.UnixMilli(e.expires))
	}
	if err != nil {
		l.malformed.Add(1)
		l.report(fmt.Errorf("%w: %v", ErrMalformedEntry, err))
	}
}

// sweep drops the view's expired entries, a batch per hold of its lock.
func (l *List) sweep() {
	for l.view.Sweep(sweepBatch) == sweepBatch && l.ctx.Err() == nil {
	}
}

func (l *List) report(err error) {
	if l.opts.OnError != nil {
		l.opts.OnError(err)
	}
}

// isTimeout tells a read that timed out (the subscription was silent)
// from a failed connection.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
