package redis

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// usedMemory is INFO memory's used_memory, in bytes.
func usedMemory(t testing.TB, rdb *goredis.Client) int64 {
	t.Helper()
	info, err := rdb.Info(context.Background(), "memory").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no used_memory in INFO memory")
	return 0
}

// TestBoundedState: 100,000 revocations with short expiries, and the
// memory of Redis and of the local views before, with them, and after
// they expired.
func TestBoundedState(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 revocations: not in -short")
	}
	srv := startRedis(t)
	rdb := srv.Client()
	ctx := context.Background()
	opts := Options{HealthCheck: 250 * time.Millisecond}
	a := newList(t, srv.Addr(), opts)
	b := newList(t, srv.Addr(), opts)
	base := usedMemory(t, rdb)

	const n, users = 100000, 10000
	// Every entry expires at one time, late enough for all of them to be
	// live when they are measured: twice the writing time a calibration
	// run predicts (without counting on the writers' parallelism), plus 2 s.
	// The calibration writes to another database of the server (DB 1), so
	// that it is neither measured nor heard by the lists.
	calClient := goredis.NewClient(&goredis.Options{Addr: srv.Addr(), DB: 1})
	defer calClient.Close()
	cal, err := New(ctx, calClient, Options{Prefix: "calibration:"}) // pub/sub channels span databases
	if err != nil {
		t.Fatal(err)
	}
	calStart := time.Now()
	for i := 0; i < 2000; i++ {
		if err := cal.RevokeSession(ctx, fmt.Sprintf("cal-%d", i), time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	_ = cal.Close()
	start := time.Now()
	life := 2*time.Duration(n/2000)*start.Sub(calStart) + 2*time.Second
	exp := start.Add(life)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= n {
					return
				}
				var err error
				if i < users {
					err = a.RevokeUser(ctx, fmt.Sprintf("user-%d", i), time.Now(), exp)
				} else {
					err = a.RevokeSession(ctx, fmt.Sprintf("%032x", i), exp)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	wrote := time.Since(start)
	if wrote >= life {
		t.Fatalf("the writes took %v, longer than the entries' life %v: nothing to measure", wrote, life)
	}
	full := usedMemory(t, rdb)
	keys := rdb.DBSize(ctx).Val()
	// b's view fills from the channel (or, if its connection dropped under
	// the load, from the reload that follows).
	for deadline := time.Now().Add(30 * time.Second); b.Stats().Entries != n; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("b's view does not hold every revocation within 30 s: a %+v, b %+v, %d keys", a.Stats(), b.Stats(), rdb.DBSize(ctx).Val())
		}
	}
	entriesA, entriesB := a.Stats().Entries, b.Stats().Entries
	t.Logf("%d revocations (%d users, %d sessions) in %v (%.0f/s), all expiring %v after the first: %d keys live", n, users, n-users, wrote.Round(time.Millisecond), n/wrote.Seconds(), life.Round(time.Millisecond), keys)
	if keys < n {
		t.Logf("the writes took longer than the calibration predicted: only %d of %d entries were live when measured", keys, n)
	}
	t.Logf("used_memory: %d B before, %d B with them (+%d B, %.0f B per entry)", base, full, full-base, float64(full-base)/float64(keys))

	waitFor(t, 60*time.Second, "every key expired in Redis", func() bool { return rdb.DBSize(ctx).Val() == 0 })
	expired := time.Since(start)
	// Redis shrinks its key tables in its periodic cron: give it time.
	var after int64
	deadline := time.Now().Add(30 * time.Second)
	for {
		after = usedMemory(t, rdb)
		if after-base <= (full-base)/10 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	waitFor(t, 30*time.Second, "the local views dropped the expired entries", func() bool {
		return a.Stats().Entries == 0 && b.Stats().Entries == 0
	})
	t.Logf("used_memory after they expired: %d B (%+d B from before), all gone %v after the first write", after, after-base, expired.Round(time.Millisecond))
	t.Logf("local view entries: %d and %d with them, 0 after (b: %+v)", entriesA, entriesB, b.Stats())
	if int64(entriesB) < keys-keys/100 {
		t.Errorf("b's view held only %d entries of %d live in Redis", entriesB, keys)
	}
	if after-base > (full-base)/10 {
		t.Errorf("Redis kept %d B of %d B after every entry expired", after-base, full-base)
	}
}

// TestPropagation measures how long a revocation through one list takes to
// be enforced by another on the same Redis, over 250 revocations. The
// requirement is 1 s; the figures are logged.
func TestPropagation(t *testing.T) {
	srv := startRedis(t)
	a := newList(t, srv.Addr(), Options{})
	b := newList(t, srv.Addr(), Options{})
	ctx := context.Background()
	const n = 250
	lat := make([]time.Duration, 0, n)
	var call time.Duration
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("prop-%d", i)
		user := fmt.Sprintf("user-%d", i)
		created := time.Now()
		start := time.Now()
		var err error
		if i%2 == 0 {
			err = a.RevokeSession(ctx, id, start.Add(time.Hour))
		} else {
			err = a.RevokeUser(ctx, user, created, start.Add(time.Hour))
		}
		if err != nil {
			t.Fatal(err)
		}
		call += time.Since(start)
		for {
			r, err := b.Revoked(ctx, id, user, created)
			if err != nil {
				t.Fatal(err)
			}
			if r {
				break
			}
			if time.Since(start) > 2*time.Second {
				t.Fatalf("revocation %d not seen within 2 s", i)
			}
			runtime.Gosched()
		}
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
	t.Logf("propagation over %d revocations: p50 %v, p99 %v, max %v (revoke call mean %v)",
		n, p(0.50), p(0.99), lat[len(lat)-1], call/n)
	if lat[len(lat)-1] > time.Second {
		t.Errorf("slowest propagation %v, over 1 s", lat[len(lat)-1])
	}
}

// seed writes n entries straight into Redis (pipelined), half sessions and
// half users, as the revocation scripts would.
func seed(tb testing.TB, rdb *goredis.Client, n int, exp time.Time) {
	tb.Helper()
	ctx := context.Background()
	e := strconv.FormatInt(exp.UnixMilli(), 10)
	b := strconv.FormatInt(time.Now().Add(-time.Hour).UnixMilli(), 10)
	for i := 0; i < n; i += 1000 {
		pipe := rdb.Pipeline()
		for j := i; j < i+1000 && j < n; j++ {
			if j%2 == 0 {
				pipe.Set(ctx, keyOf(DefaultPrefix, false, fmt.Sprintf("session-%032d", j)), e, time.Until(exp))
			} else {
				pipe.Set(ctx, keyOf(DefaultPrefix, true, fmt.Sprintf("user-%d", j)), b+" "+e, time.Until(exp))
			}
		}
		if _, err := pipe.Exec(ctx); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkRevoked: the per-request cost of the Redis list (its local
// view) with 100,000 entries loaded from Redis, next to what a lookup in
// Redis itself costs (GET, one round trip on loopback). It also reports
// how long New took to load the 100,000 entries.
func BenchmarkRevoked(b *testing.B) {
	srv := startRedis(b)
	rdb := srv.Client()
	seed(b, rdb, 100000, time.Now().Add(time.Hour))
	start := time.Now()
	l := newList(b, srv.Addr(), Options{})
	load := time.Since(start)
	if got := l.Stats().Entries; got != 100000 {
		b.Fatalf("loaded %d entries", got)
	}
	ctx := context.Background()
	now := time.Now()
	b.Run("local-view-miss", func(b *testing.B) {
		b.ReportMetric(float64(load.Milliseconds()), "load-ms")
		id := fmt.Sprintf("session-%032d", 99999999)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if r, err := l.Revoked(ctx, id, "user-8", now); r || err != nil {
				b.Fatal(r, err)
			}
		}
	})
	b.Run("local-view-hit", func(b *testing.B) {
		id := fmt.Sprintf("session-%032d", 4242)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if r, err := l.Revoked(ctx, id, "", now); !r || err != nil {
				b.Fatal(r, err)
			}
		}
	})
	b.Run("redis-GET-round-trip", func(b *testing.B) {
		key := keyOf(DefaultPrefix, false, fmt.Sprintf("session-%032d", 4242))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := rdb.Get(ctx, key).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
