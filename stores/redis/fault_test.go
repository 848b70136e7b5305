package redis

import (
	"context"
	"errors"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

// faultOptions are short timings so that the fault tests take seconds.
func faultOptions(failOpen bool) Options {
	return Options{
		Grace:       700 * time.Millisecond,
		HealthCheck: 100 * time.Millisecond,
		Timeout:     300 * time.Millisecond,
		FailOpen:    failOpen,
	}
}

// answer is one result of Revoked.
type answer struct {
	revoked     bool
	unavailable bool
}

func ask(t testing.TB, l *List, id, user string, created time.Time) answer {
	t.Helper()
	r, err := l.Revoked(context.Background(), id, user, created)
	if err != nil && !errors.Is(err, cookiesession.ErrRevocationUnavailable) {
		t.Fatalf("Revoked: error %v does not wrap ErrRevocationUnavailable", err)
	}
	return answer{r, err != nil}
}

func TestUnreachableAtStart(t *testing.T) {
	srv := newRedisAt(t) // not started
	// The lists reach Redis through a proxy, cut until the test has put
	// an entry in Redis: the entry can only reach them by their load.
	p := newProxy(t, srv.Addr())
	p.Cut()
	client := newTestClient(t, p.Addr())

	// By default New reports the failure and returns no list.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	start := time.Now()
	l, err := New(ctx, client, faultOptions(false))
	cancel()
	if l != nil || !errors.Is(err, cookiesession.ErrRevocationUnavailable) {
		t.Fatalf("New with Redis down: %v, %v", l, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("New took %v with a 300 ms context", d)
	}

	// StartUnavailable: a list that answers per its fail mode at once (no
	// grace: it knows nothing), then catches up when Redis comes.
	lists := map[bool]*List{}
	for _, failOpen := range []bool{false, true} {
		o := faultOptions(failOpen)
		o.StartUnavailable = true
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		l, err := New(ctx, newTestClient(t, p.Addr()), o)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = l.Close() })
		lists[failOpen] = l
		if got, want := ask(t, l, "x", "tom", time.Now()), (answer{!failOpen, true}); got != want {
			t.Errorf("failOpen=%v before any load: %+v, want %+v", failOpen, got, want)
		}
	}
	srv.Start()
	exp := time.Now().Add(time.Hour).UnixMilli()
	if err := srv.Client().Set(context.Background(), DefaultPrefix+"s:seeded", strconv.FormatInt(exp, 10), time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	p.Restore()
	for failOpen, l := range lists {
		waitFor(t, 5*time.Second, "the list loads once Redis is up", func() bool { return l.Stats().Available })
		if got := ask(t, l, "x", "tom", time.Now()); got != (answer{}) {
			t.Errorf("failOpen=%v after the load: %+v", failOpen, got)
		}
		if got := ask(t, l, "seeded", "", time.Now()); got != (answer{true, false}) {
			t.Errorf("failOpen=%v: entry in Redis not loaded: %+v", failOpen, got)
		}
	}
}

// TestRedisRestart: Redis stopped mid-run and started again. While it is
// down the lists enforce what they know; within the grace time they answer
// as usual, after it per their fail mode; once it is back they reload, and
// what was revoked before the stop is still in Redis (append only file).
func TestRedisRestart(t *testing.T) {
	for _, failOpen := range []bool{false, true} {
		t.Run("failOpen="+strconv.FormatBool(failOpen), func(t *testing.T) {
			srv := startRedis(t)
			a := newList(t, srv.Addr(), faultOptions(failOpen))
			b := newList(t, srv.Addr(), faultOptions(failOpen))
			ctx := context.Background()
			now := time.Now()
			if err := a.RevokeSession(ctx, "before-stop", now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := a.RevokeUser(ctx, "tom", now, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			waitFor(t, time.Second, "b hears the revocations", func() bool {
				return ask(t, b, "before-stop", "", now).revoked && ask(t, b, "", "tom", now).revoked
			})

			srv.Stop()
			waitFor(t, time.Second, "b notices Redis is gone", func() bool { return !b.Stats().Available })
			// Within the grace time: the usual answers, no error.
			if got := ask(t, b, "unknown", "ann", now); got != (answer{}) {
				t.Errorf("within grace, unknown session: %+v", got)
			}
			if got := ask(t, b, "before-stop", "", now); got != (answer{true, false}) {
				t.Errorf("within grace, known revocation: %+v", got)
			}
			// A revocation while Redis is down: an error, enforced locally.
			err := a.RevokeSession(ctx, "during", now.Add(time.Hour))
			if !errors.Is(err, cookiesession.ErrRevocationUnavailable) {
				t.Errorf("RevokeSession with Redis down: %v", err)
			}
			if got := ask(t, a, "during", "", now); got != (answer{true, false}) {
				t.Errorf("a revocation that failed to reach Redis is not enforced locally: %+v", got)
			}
			// After the grace time: the fail mode, with the error; what is
			// known stays revoked, without error.
			time.Sleep(800 * time.Millisecond)
			if got, want := ask(t, b, "unknown", "ann", now), (answer{!failOpen, true}); got != want {
				t.Errorf("after grace, unknown session: %+v, want %+v", got, want)
			}
			if got := ask(t, b, "", "tom", now); got != (answer{true, false}) {
				t.Errorf("after grace, known user revocation: %+v", got)
			}

			srv.Start()
			for name, l := range map[string]*List{"a": a, "b": b} {
				waitFor(t, 5*time.Second, name+" reconnects", func() bool { return l.Stats().Available })
				if got := ask(t, l, "unknown", "ann", now); got != (answer{}) {
					t.Errorf("%s after the restart, unknown session: %+v", name, got)
				}
				// One load per connection (more than two only if a stalled
				// machine missed a 100 ms health check).
				if st := l.Stats(); st.Loads < 2 || st.Disconnects < 1 || st.Loads != st.Disconnects+1 {
					t.Errorf("%s stats after one restart: %+v", name, st)
				}
			}
			// A list started after the restart knows what was revoked
			// before the stop: Redis kept it.
			c := newList(t, srv.Addr(), faultOptions(failOpen))
			if !ask(t, c, "before-stop", "", now).revoked || !ask(t, c, "", "tom", now).revoked {
				t.Error("revocations made before the restart are lost")
			}
			// Revocations work again, everywhere.
			if err := a.RevokeSession(ctx, "after", now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			waitFor(t, time.Second, "a revocation after the restart reaches b", func() bool {
				return ask(t, b, "after", "", now).revoked
			})
		})
	}
}

// TestCatchUpOnReconnect: a replica cut off from Redis while another
// revokes catches up, from the load, when it reconnects.
func TestCatchUpOnReconnect(t *testing.T) {
	srv := startRedis(t)
	p := newProxy(t, srv.Addr())
	a := newList(t, srv.Addr(), faultOptions(false))
	b := newList(t, p.Addr(), faultOptions(false))
	ctx := context.Background()
	now := time.Now()
	p.Cut()
	waitFor(t, time.Second, "b notices it lost Redis", func() bool { return !b.Stats().Available })
	if err := a.RevokeSession(ctx, "missed", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeUser(ctx, "ann", now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if ask(t, b, "missed", "", now).revoked {
		t.Fatal("b heard a revocation while cut off (the proxy leaks)")
	}
	messages := b.Stats().Messages
	p.Restore()
	waitFor(t, 5*time.Second, "b reconnects", func() bool { return b.Stats().Available })
	if got := ask(t, b, "missed", "", now); got != (answer{true, false}) {
		t.Errorf("b did not catch up on the session revocation: %+v", got)
	}
	if got := ask(t, b, "", "ann", now); got != (answer{true, false}) {
		t.Errorf("b did not catch up on the user revocation: %+v", got)
	}
	if b.Stats().Messages != messages {
		t.Error("b caught up by messages, not by the load (the test proves nothing)")
	}
}

// TestSilentRedis: a Redis that stops answering without closing its
// connections (frozen with SIGSTOP, as a network partition looks) is
// noticed by the health check, and the list recovers when it answers.
func TestSilentRedis(t *testing.T) {
	srv := startRedis(t)
	l := newList(t, srv.Addr(), faultOptions(false))
	if err := srv.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			_ = srv.cmd.Process.Signal(syscall.SIGCONT)
			resumed = true
		}
	}
	t.Cleanup(resume)
	start := time.Now()
	waitFor(t, 2*time.Second, "the list notices a silent Redis", func() bool { return !l.Stats().Available })
	t.Logf("silent Redis noticed after %v (HealthCheck %v)", time.Since(start), l.opts.HealthCheck)
	waitFor(t, 2*time.Second, "fail closed after the grace time", func() bool {
		return ask(t, l, "x", "", time.Now()) == answer{true, true}
	})
	resume()
	waitFor(t, 5*time.Second, "the list recovers", func() bool { return l.Stats().Available })
	if got := ask(t, l, "x", "", time.Now()); got != (answer{}) {
		t.Errorf("after recovery: %+v", got)
	}
}

// TestRedisKilled: Redis killed without warning (SIGKILL) keeps what its
// append only file had synced (appendfsync everysec: what is older than a
// second), and the lists reload it when it is back.
func TestRedisKilled(t *testing.T) {
	srv := startRedis(t)
	a := newList(t, srv.Addr(), faultOptions(false))
	ctx := context.Background()
	now := time.Now()
	if err := a.RevokeUser(ctx, "tom", now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // past one appendfsync everysec
	srv.Kill()
	waitFor(t, time.Second, "a notices Redis is gone", func() bool { return !a.Stats().Available })
	srv.Start()
	waitFor(t, 5*time.Second, "a reconnects", func() bool { return a.Stats().Available })
	b := newList(t, srv.Addr(), faultOptions(false))
	if got := ask(t, b, "", "tom", now); got != (answer{true, false}) {
		t.Errorf("a revocation synced before the crash is lost: %+v", got)
	}
}
