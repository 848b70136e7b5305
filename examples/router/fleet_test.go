package main

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The fleet of the README: several processes of this example on loopback
// ports, started with the same -redis and -secret, in front of a real
// redis-server. A revocation made through any of them (/logout,
// /logout-everywhere) must be enforced by all of them within
// propagationWindow, also across a Redis restart.

// propagationWindow is how soon after a logout's answer every replica
// must refuse the revoked cookie.
const propagationWindow = time.Second

// refusalWait bounds how long a test waits for a replica to refuse a
// revoked cookie before it counts the cookie as never refused.
const refusalWait = 5 * time.Second

const anonymous = "Hello Anonymous"

// outage is how long TestFleetLogoutEverywhere keeps Redis stopped while
// a logout is made: longer than go-redis's own retries last.
const outage = 2 * time.Second

// fleet is a redis-server and replicas of the example sharing it.
type fleet struct {
	tb       testing.TB
	redis    *redisServer
	args     []string // the flags every replica gets besides -addr
	replicas []*replica
	c        *fleetClient
}

// newFleet starts a redis-server and n replicas with -type typ.
func newFleet(tb testing.TB, typ string, n int) *fleet {
	tb.Helper()
	rs := startRedis(tb)
	f := &fleet{
		tb:    tb,
		redis: rs,
		args:  []string{"-type", typ, "-secret", fleetSecret, "-redis", rs.Addr()},
		c:     newFleetClient(tb),
	}
	for i := 0; i < n; i++ {
		f.replicas = append(f.replicas, f.start(fmt.Sprintf("replica %d", i+1)))
	}
	return f
}

// start starts one more replica of the fleet.
func (f *fleet) start(name string) *replica {
	f.tb.Helper()
	return startReplica(f.tb, name, f.args...)
}

// greeting is what the index page says to user.
func greeting(user string) string { return "Hello " + title(user) }

// login logs user in through r and returns the new session cookie.
func (f *fleet) login(r *replica, user string) (string, error) {
	a, err := f.c.get(r, "/login/"+user, "")
	if err != nil {
		return "", err
	}
	if a.status != 200 || a.line != "Done" || a.cookie == "" {
		return "", fmt.Errorf("%s GET /login/%s: %d %q, cookie %q", r.name, user, a.status, a.line, a.cookie)
	}
	return a.cookie, nil
}

// greet returns the first line of what r's index page says for cookie.
func (f *fleet) greet(r *replica, cookie string) (string, error) {
	a, err := f.c.get(r, "/", cookie)
	if err != nil {
		return "", err
	}
	if a.status != 200 {
		return "", fmt.Errorf("%s GET /: %d %q", r.name, a.status, a.line)
	}
	return a.line, nil
}

// revoke sends path (/logout or /logout-everywhere) through r with
// cookie, which must answer Done and expire the cookie; it returns when
// the answer arrived.
func (f *fleet) revoke(r *replica, path, cookie string) (time.Time, error) {
	a, err := f.c.get(r, path, cookie)
	at := time.Now()
	if err != nil {
		return at, err
	}
	if a.status != 200 || a.line != "Done" || !a.clears {
		return at, fmt.Errorf("%s GET %s: %d %q, cookie expired: %v", r.name, path, a.status, a.line, a.clears)
	}
	return at, nil
}

// awaitRefusal replays cookie, revoked at at, against every replica until
// each refuses it (shows anonymous). It returns how long after at the last
// replica refused it, and how many answers accepted it (greeted want)
// later than propagationWindow after at. A replica that still accepts it
// after refusalWait, or any other answer, is an error.
func (f *fleet) awaitRefusal(cookie, want string, at time.Time) (took time.Duration, late int, err error) {
	pending := append([]*replica(nil), f.replicas...)
	for {
		var still []*replica
		for _, r := range pending {
			line, err := f.greet(r, cookie)
			since := time.Since(at)
			switch {
			case err != nil:
				return took, late, err
			case line == anonymous:
				took = max(took, since)
			case line == want:
				if since > propagationWindow {
					late++
				}
				still = append(still, r)
			default:
				return took, late, fmt.Errorf("%s GET / with a revoked cookie: %q", r.name, line)
			}
		}
		if len(still) == 0 {
			return took, late, nil
		}
		if time.Since(at) > refusalWait {
			return took, late, fmt.Errorf("%s still accept a cookie revoked %v ago", names(still), time.Since(at).Round(time.Millisecond))
		}
		pending = still
		time.Sleep(2 * time.Millisecond)
	}
}

func names(rs []*replica) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.name)
	}
	return strings.Join(s, ", ")
}

// percentile returns the p-th percentile (0 < p <= 100) of sorted d.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(float64(len(d))*p/100+0.5) - 1
	return d[min(max(i, 0), len(d)-1)]
}

// The check, as a new user would run it: a login through one
// replica, the session read through the others, /logout-everywhere
// through another, and the old cookies replayed against all three:
// refused. Then the same with Redis restarted in between (before the
// logout, after it, and during it), and a replica started after the
// restarts, which knows of the revocations made before them only through
// Redis's append only file. Each step has a user of its own, so that no
// later logout-everywhere covers an earlier step's cookies.
func TestFleetLogoutEverywhere(t *testing.T) {
	for _, typ := range []string{"jwt", "fernet"} {
		t.Run(typ, func(t *testing.T) {
			f := newFleet(t, typ, 3)
			r1, r2, r3 := f.replicas[0], f.replicas[1], f.replicas[2]

			// loggedIn logs user in through via and checks that every
			// replica greets them.
			loggedIn := func(via *replica, user string) string {
				t.Helper()
				c, err := f.login(via, user)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range f.replicas {
					if line, err := f.greet(r, c); err != nil || line != greeting(user) {
						t.Fatalf("%s logged in through %s, read through %s: %q %v", user, via.name, r.name, line, err)
					}
				}
				return c
			}
			// refused checks that every replica refuses user's cookies
			// within the propagation window after at.
			refused := func(step string, at time.Time, user string, cookies ...string) {
				t.Helper()
				for _, c := range cookies {
					took, late, err := f.awaitRefusal(c, greeting(user), at)
					if err != nil {
						t.Fatalf("%s: %v", step, err)
					}
					if late > 0 {
						t.Fatalf("%s: %d answers accepted the revoked cookie more than %v after the logout's answer; all replicas refused it after %v",
							step, late, propagationWindow, took.Round(time.Millisecond))
					}
					t.Logf("%s: refused by all %d replicas %v after the answer", step, len(f.replicas), took.Round(time.Microsecond))
				}
			}
			revoke := func(via *replica, path, cookie string) time.Time {
				t.Helper()
				at, err := f.revoke(via, path, cookie)
				if err != nil {
					t.Fatal(err)
				}
				return at
			}
			restart := func() {
				t.Helper()
				if err := f.redis.Stop(); err != nil {
					t.Fatal(err)
				}
				if err := f.redis.Start(); err != nil {
					t.Fatal(err)
				}
			}

			// Two devices of tom, logged in through different replicas,
			// logged out everywhere through the third.
			laptop, phone := loggedIn(r1, "tom"), loggedIn(r2, "tom")
			at := revoke(r3, "/logout-everywhere", phone)
			refused("logout-everywhere", at, "tom", laptop, phone)
			// His next login is not affected.
			tomAgain := loggedIn(r1, "tom")

			// Redis restarted between the login and the logout.
			ann := loggedIn(r2, "ann")
			restart()
			at = revoke(r1, "/logout-everywhere", ann)
			refused("logout-everywhere after a Redis restart", at, "ann", ann)

			// Redis restarted between the logout and the replay (a
			// logout revokes the session's id, not the user).
			bob := loggedIn(r3, "bob")
			at = revoke(r2, "/logout", bob)
			refused("logout", at, "bob", bob)
			restart()
			refused("logout, replayed after a Redis restart", at, "bob", bob)

			// Redis down while the logout is made, for as long as a
			// Sentinel failover may take: the logout waits for it (the
			// example retries for up to revocationPatience), and the
			// other replicas catch up within the window once it is back.
			eve := loggedIn(r1, "eve")
			if err := f.redis.Stop(); err != nil {
				t.Fatal(err)
			}
			type result struct {
				at  time.Time
				err error
			}
			done := make(chan result, 1)
			go func() {
				at, err := f.revoke(r3, "/logout-everywhere", eve)
				done <- result{at, err}
			}()
			time.Sleep(outage)
			if err := f.redis.Start(); err != nil {
				t.Fatal(err)
			}
			res := <-done
			if res.err != nil {
				t.Fatal(res.err)
			}
			refused("logout-everywhere made while Redis was down", res.at, "eve", eve)

			// A replica started now learns of tom's, ann's and bob's
			// revocations only from Redis, which read them back from its
			// append only file at each restart; it still greets tom's
			// later session.
			late := f.start("replica 4 (started after the restarts)")
			for _, c := range []struct{ user, cookie string }{{"tom", laptop}, {"tom", phone}, {"ann", ann}, {"bob", bob}, {"eve", eve}} {
				if line, err := f.greet(late, c.cookie); err != nil || line != anonymous {
					t.Errorf("a revoked cookie of %s replayed against %s: %q %v", c.user, late.name, line, err)
				}
			}
			if line, err := f.greet(late, tomAgain); err != nil || line != greeting("tom") {
				t.Errorf("tom's session made after his logout-everywhere, read through %s: %q %v", late.name, line, err)
			}
			if len(f.redis.AOFFiles()) == 0 {
				t.Error("redis-server wrote no append only file")
			}
			if n := f.c.server5xx.Load(); n != 0 {
				t.Errorf("%d answers were 5xx", n)
			}
			t.Logf("%s fleet: %d requests, 3 Redis restarts (one of %v during a logout)", typ, f.c.requests.Load(), outage)
		})
	}
}

// loadResult is what the client pool of TestFleetLoad counts.
type loadResult struct {
	rounds, logins, reads, logouts, everywhere atomic.Int64
	lost, late                                 atomic.Int64 // lost logins; revoked cookies accepted after the window

	redisDown                       atomic.Bool  // Redis is being restarted
	readsDuringOutage, revokeDuring atomic.Int64 // requests started while it was

	mu          sync.Mutex
	errs        []string        // first errors, for the report
	nerrs       int             // all errors
	propagation []time.Duration // per revoked cookie: answer to refusal by every replica
	revokeTook  []time.Duration // per revocation: the request's duration
	revoked     []string        // every revoked cookie
}

func (r *loadResult) fail(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nerrs++
	if len(r.errs) < 20 {
		r.errs = append(r.errs, fmt.Sprintf(format, args...))
	}
}

// The fleet under load: 3 replicas, a pool of 32 clients spread
// round-robin over them (each client a user with two devices), logging in,
// reading through every replica, logging out and logging out everywhere,
// while Redis is restarted once. Every revoked cookie is replayed against
// every replica until all refuse it. Afterwards: no revoked cookie accepted
// after the propagation window, no login lost (a live session read as
// anonymous anywhere), no 5xx; and every revoked cookie is refused by all
// the replicas and by one started after the run.
func TestFleetLoad(t *testing.T) {
	const (
		clients   = 32
		rounds    = 40 // per client; each revokes two cookies
		timeLimit = 90 * time.Second
	)
	f := newFleet(t, "jwt", 3)
	var res loadResult
	start := time.Now()
	deadline := start.Add(timeLimit)

	// Redis restarts once a third of the rounds are done.
	var (
		restartRound int64
		restartTook  time.Duration
		restartErr   error
	)
	restarted := make(chan struct{})
	stopWaiting := make(chan struct{})
	go func() {
		defer close(restarted)
		for res.rounds.Load() < clients*rounds/3 {
			select {
			case <-stopWaiting:
				restartErr = fmt.Errorf("the clients finished before a third of the rounds")
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
		restartRound = res.rounds.Load()
		t0 := time.Now()
		res.redisDown.Store(true)
		if restartErr = f.redis.Stop(); restartErr == nil {
			restartErr = f.redis.Start()
		}
		res.redisDown.Store(false)
		restartTook = time.Since(t0)
	}()

	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			f.client(&res, i, rounds, deadline)
		}(i)
	}
	wg.Wait()
	close(stopWaiting)
	<-restarted
	if restartErr != nil {
		t.Fatalf("Redis restart: %v", restartErr)
	}
	loadTook := time.Since(start)

	// Every revoked cookie, replayed once more against the three replicas
	// and a fourth started now (it loads the list from the restarted
	// Redis): none accepted.
	f.replicas = append(f.replicas, f.start("replica 4 (started after the run)"))
	var accepted atomic.Int64
	jobs := make(chan string)
	var replay sync.WaitGroup
	for w := 0; w < clients; w++ {
		replay.Add(1)
		go func() {
			defer replay.Done()
			for c := range jobs {
				for _, r := range f.replicas {
					line, err := f.greet(r, c)
					if err != nil {
						res.fail("final replay: %v", err)
					} else if line != anonymous {
						accepted.Add(1)
						res.fail("final replay: %s accepted a revoked cookie: %q", r.name, line)
					}
				}
			}
		}()
	}
	for _, c := range res.revoked {
		jobs <- c
	}
	close(jobs)
	replay.Wait()

	prop := append([]time.Duration(nil), res.propagation...)
	sort.Slice(prop, func(i, j int) bool { return prop[i] < prop[j] })
	took := append([]time.Duration(nil), res.revokeTook...)
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	t.Logf("fleet load: %d clients, 3 replicas, %d requests in %v (then %d replays against 4 replicas); %d rounds, %d logins, %d reads, %d logouts, %d logouts-everywhere",
		clients, f.c.requests.Load(), loadTook.Round(time.Millisecond), len(res.revoked), res.rounds.Load(), res.logins.Load(), res.reads.Load(), res.logouts.Load(), res.everywhere.Load())
	t.Logf("Redis restarted once after round %d of %d, down and back in %v; meanwhile %d reads and %d revocations started",
		restartRound, clients*rounds, restartTook.Round(time.Millisecond), res.readsDuringOutage.Load(), res.revokeDuring.Load())
	t.Logf("propagation (answer to refusal by all 3 replicas, %d revoked cookies): p50 %v, p99 %v, max %v",
		len(prop), percentile(prop, 50).Round(time.Microsecond), percentile(prop, 99).Round(time.Microsecond), percentile(prop, 100).Round(time.Microsecond))
	t.Logf("revocation requests (%d): p50 %v, p99 %v, max %v (a logout during the restart waits for Redis)",
		len(took), percentile(took, 50).Round(time.Microsecond), percentile(took, 99).Round(time.Microsecond), percentile(took, 100).Round(time.Microsecond))
	t.Logf("lost logins %d, revoked cookies accepted after %v: %d, accepted at the final replay: %d, 5xx: %d, errors: %d",
		res.lost.Load(), propagationWindow, res.late.Load(), accepted.Load(), f.c.server5xx.Load(), res.nerrs)

	for _, e := range res.errs {
		t.Error(e)
	}
	if n := res.lost.Load(); n != 0 {
		t.Errorf("%d lost logins", n)
	}
	if n := res.late.Load(); n != 0 {
		t.Errorf("%d answers accepted a cookie revoked more than %v before", n, propagationWindow)
	}
	if n := f.c.server5xx.Load(); n != 0 {
		t.Errorf("%d answers were 5xx", n)
	}
	if n := res.rounds.Load(); n != clients*rounds {
		t.Errorf("%d of %d rounds done within %v", n, clients*rounds, timeLimit)
	}
	if len(prop) < 200 {
		t.Errorf("propagation measured over %d revocations, fewer than 200", len(prop))
	}
}

// client is one client of TestFleetLoad, with two devices. Each round
// logs a user of its own in on both, through successive replicas, reads
// both through every replica, then either logs each out (the other device
// must stay logged in everywhere) or logs out everywhere through one
// device; each revoked cookie is replayed against every replica until all
// refuse it.
func (f *fleet) client(res *loadResult, i, rounds int, deadline time.Time) {
	var user, want string
	next := i // round-robin over the replicas, each client from its own start
	replica := func() *replica {
		r := f.replicas[next%len(f.replicas)]
		next++
		return r
	}
	// live checks that every replica greets user for cookie: anything
	// else is a lost login.
	live := func(cookie string) bool {
		for _, r := range f.replicas {
			if res.redisDown.Load() {
				res.readsDuringOutage.Add(1)
			}
			line, err := f.greet(r, cookie)
			res.reads.Add(1)
			if err != nil {
				res.fail("%s: %v", user, err)
				return false
			}
			if line != want {
				res.lost.Add(1)
				res.fail("%s: lost login: %s answered %q", user, r.name, line)
				return false
			}
		}
		return true
	}
	revoke := func(path, cookie string, cookies ...string) bool {
		if res.redisDown.Load() {
			res.revokeDuring.Add(1)
		}
		t0 := time.Now()
		at, err := f.revoke(replica(), path, cookie)
		res.mu.Lock()
		res.revokeTook = append(res.revokeTook, at.Sub(t0))
		res.revoked = append(res.revoked, cookies...)
		res.mu.Unlock()
		if err != nil {
			res.fail("%s: %v", user, err)
			return false
		}
		for _, c := range cookies {
			took, late, err := f.awaitRefusal(c, want, at)
			res.late.Add(int64(late))
			if err != nil {
				res.fail("%s %s: %v", user, path, err)
				continue
			}
			res.mu.Lock()
			res.propagation = append(res.propagation, took)
			res.mu.Unlock()
		}
		return true
	}
	for round := 0; round < rounds && time.Now().Before(deadline); round++ {
		// A user per round: a logout-everywhere of a later round does
		// not cover this round's cookies, so the final replay checks
		// each revocation on its own.
		user = fmt.Sprintf("user%dround%d", i, round)
		want = greeting(user)
		laptop, err := f.login(replica(), user)
		if err != nil {
			res.fail("%s: %v", user, err)
			return
		}
		phone, err := f.login(replica(), user)
		if err != nil {
			res.fail("%s: %v", user, err)
			return
		}
		res.logins.Add(2)
		if !live(laptop) || !live(phone) {
			return
		}
		if round%2 == 0 {
			res.logouts.Add(2)
			if !revoke("/logout", laptop, laptop) || !live(phone) || !revoke("/logout", phone, phone) {
				return
			}
		} else {
			res.everywhere.Add(1)
			if !revoke("/logout-everywhere", phone, laptop, phone) {
				return
			}
			// Creation times and logout-everywhere times are compared to
			// the millisecond: a session created in the same millisecond
			// as the logout is revoked with it (the documented rule). No
			// user logs in again within a millisecond; this client waits
			// as long, so as not to count that rule as a lost login.
			time.Sleep(2 * time.Millisecond)
		}
		res.rounds.Add(1)
	}
}
