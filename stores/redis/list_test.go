package redis

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	goredis "github.com/redis/go-redis/v9"
)

// newList makes a list on addr for the test, closed at its end.
func newList(t testing.TB, addr string, opts Options) *List {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := New(ctx, newTestClient(t, addr), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	})
	return l
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func revoked(t testing.TB, l *List, id, user string, created time.Time) bool {
	t.Helper()
	r, err := l.Revoked(context.Background(), id, user, created)
	if err != nil {
		t.Fatalf("Revoked(%q, %q): %v", id, user, err)
	}
	return r
}

func TestRevocationReachesEveryList(t *testing.T) {
	srv := startRedis(t)
	a := newList(t, srv.Addr(), Options{})
	b := newList(t, srv.Addr(), Options{})
	ctx := context.Background()
	now := time.Now()
	exp := now.Add(time.Hour)

	if err := a.RevokeSession(ctx, "id-1", exp); err != nil {
		t.Fatal(err)
	}
	if !revoked(t, a, "id-1", "", now) {
		t.Error("the revoking list does not enforce its own revocation at once")
	}
	waitFor(t, time.Second, "session revocation seen by the other list", func() bool {
		return revoked(t, b, "id-1", "", now)
	})
	before := now.Add(-time.Minute)
	if err := b.RevokeUser(ctx, "tom", before, exp); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "user revocation seen by the other list", func() bool {
		return revoked(t, a, "x", "tom", before)
	})
	if revoked(t, a, "x", "tom", before.Add(time.Millisecond)) {
		t.Error("a session created after the logout-everywhere is revoked")
	}
	if revoked(t, a, "id-2", "ann", now) || revoked(t, b, "", "", now) {
		t.Error("unrelated sessions revoked")
	}

	// The keys expire in Redis by themselves at the entry's expiry.
	rdb := srv.Client()
	for _, key := range []string{DefaultPrefix + "s:id-1", DefaultPrefix + "u:tom"} {
		pt, err := rdb.PExpireTime(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if got := pt.Milliseconds(); got != exp.UnixMilli() {
			t.Errorf("%s expires at %d, want %d", key, got, exp.UnixMilli())
		}
	}
	if v := rdb.Get(ctx, DefaultPrefix+"u:tom").Val(); v != fmt.Sprintf("%d %d", before.UnixMilli(), exp.UnixMilli()) {
		t.Errorf("user entry %q", v)
	}

	// A list started now loads what is there, without any message.
	c := newList(t, srv.Addr(), Options{})
	if !revoked(t, c, "id-1", "", now) || !revoked(t, c, "", "tom", before) {
		t.Error("a list started after the revocations does not enforce them")
	}
	if st := c.Stats(); st.Loads != 1 || st.Messages != 0 || st.Entries != 2 || !st.Available {
		t.Errorf("stats of the new list: %+v", st)
	}
	if st := a.Stats(); st.Messages != 2 {
		t.Errorf("list a heard %d messages, want 2", st.Messages)
	}
}

func TestRevokeArguments(t *testing.T) {
	srv := startRedis(t)
	l := newList(t, srv.Addr(), Options{})
	ctx := context.Background()
	now := time.Now()
	for name, err := range map[string]error{
		"empty id":    l.RevokeSession(ctx, "", now.Add(time.Hour)),
		"zero exp":    l.RevokeSession(ctx, "a", time.Time{}),
		"empty user":  l.RevokeUser(ctx, "", now, now.Add(time.Hour)),
		"zero before": l.RevokeUser(ctx, "tom", time.Time{}, now.Add(time.Hour)),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// Already expired: nothing recorded, anywhere.
	if err := l.RevokeSession(ctx, "old", now.Add(-time.Second)); err != nil {
		t.Error(err)
	}
	if n := srv.Client().DBSize(ctx).Val(); n != 0 || l.Stats().Entries != 0 {
		t.Errorf("refused or expired revocations stored: %d keys, %d entries", n, l.Stats().Entries)
	}
	// Ids and users with spaces, colons and glob characters round trip.
	for _, name := range []string{"a b", "x:y", "*", "[a]", "é\x00"} {
		if err := l.RevokeSession(ctx, name, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := l.RevokeUser(ctx, name, now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	l2 := newList(t, srv.Addr(), Options{})
	for _, name := range []string{"a b", "x:y", "*", "[a]", "é\x00"} {
		if !revoked(t, l2, name, "", now) || !revoked(t, l2, "", name, now) {
			t.Errorf("%q not loaded", name)
		}
	}
	if revoked(t, l2, "other", "", now) {
		t.Error("the id \"*\" matched another id")
	}
}

func TestNewOptions(t *testing.T) {
	ctx := context.Background()
	if _, err := New(ctx, nil, Options{}); !errors.Is(err, cookiesession.ErrInvalidConfig) {
		t.Errorf("nil client: %v", err)
	}
	c := newTestClient(t, "127.0.0.1:1")
	for _, o := range []Options{{Grace: -1}, {HealthCheck: -1}, {Timeout: -1}} {
		if _, err := New(ctx, c, o); !errors.Is(err, cookiesession.ErrInvalidConfig) {
			t.Errorf("%+v: %v", o, err)
		}
	}
}

// TestConcurrentLogoutsEverywhere: two servers revoke one user many times
// at once with scrambled befores; Redis and every view end with the latest
// before and the latest expiry.
func TestConcurrentLogoutsEverywhere(t *testing.T) {
	srv := startRedis(t)
	lists := []*List{newList(t, srv.Addr(), Options{}), newList(t, srv.Addr(), Options{})}
	ctx := context.Background()
	base := time.Now().Truncate(time.Millisecond)
	const n = 200
	perm := rand.New(rand.NewSource(1)).Perm(n)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				k := perm[i]
				before := base.Add(-time.Duration(n-k) * time.Millisecond)
				exp := base.Add(time.Hour + time.Duration(k)*time.Millisecond)
				if err := lists[i%2].RevokeUser(ctx, "tom", before, exp); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	latest := base.Add(-time.Millisecond)
	want := fmt.Sprintf("%d %d", latest.UnixMilli(), base.Add(time.Hour+(n-1)*time.Millisecond).UnixMilli())
	if v := srv.Client().Get(ctx, DefaultPrefix+"u:tom").Val(); v != want {
		t.Errorf("Redis holds %q, want %q", v, want)
	}
	for i, l := range lists {
		waitFor(t, time.Second, "every view at the latest before", func() bool {
			return revoked(t, l, "", "tom", latest)
		})
		if revoked(t, l, "", "tom", latest.Add(time.Millisecond)) {
			t.Errorf("list %d revokes a session created after the latest before", i)
		}
	}
}

// TestMalformedEntries: keys and messages this package did not write are
// ignored and reported; the valid entries beside them are enforced.
func TestMalformedEntries(t *testing.T) {
	srv := startRedis(t)
	rdb := srv.Client()
	ctx := context.Background()
	exp := time.Now().Add(time.Hour).UnixMilli()
	bad := map[string]string{
		DefaultPrefix + "s:bad1": "soon",
		DefaultPrefix + "s:bad2": "",
		DefaultPrefix + "s:bad3": "1e12",
		DefaultPrefix + "u:bad4": strconv.FormatInt(exp, 10), // one number
		DefaultPrefix + "u:bad5": "x 1",
		DefaultPrefix + "u:bad6": "1  2",
		DefaultPrefix + "x:bad7": "1",
		DefaultPrefix + "s:":     strconv.FormatInt(exp, 10), // empty id
		DefaultPrefix + "u:bad8": "1 99999999999999999999",
	}
	for k, v := range bad {
		if err := rdb.Set(ctx, k, v, time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := rdb.HSet(ctx, DefaultPrefix+"s:hash", "a", "b").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, DefaultPrefix+"s:good", strconv.FormatInt(exp, 10), time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var reported []error
	opts := Options{OnError: func(err error) {
		mu.Lock()
		reported = append(reported, err)
		mu.Unlock()
	}}
	l := newList(t, srv.Addr(), opts)
	now := time.Now()
	if !revoked(t, l, "good", "", now) {
		t.Error("the valid entry beside malformed ones is not enforced")
	}
	for k := range bad {
		name := k[strings.LastIndex(k, ":")+1:]
		if revoked(t, l, name, name, now) {
			t.Errorf("malformed %s revokes", k)
		}
	}
	if got := l.Stats().Malformed; got != uint64(len(bad)) {
		t.Errorf("Malformed = %d, want %d", got, len(bad))
	}
	// Malformed messages on the channel.
	msgs := []string{"", "s", "s 1", "s x id", "u 1 2", "u 1 x tom", "z 1 id", "s 99999999999999999999 id"}
	for _, m := range msgs {
		if err := rdb.Publish(ctx, DefaultPrefix+"events", m).Err(); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 2*time.Second, "malformed messages counted", func() bool {
		return l.Stats().Malformed == uint64(len(bad)+len(msgs))
	})
	mu.Lock()
	for _, err := range reported {
		if !errors.Is(err, ErrMalformedEntry) {
			t.Errorf("reported %v, not ErrMalformedEntry", err)
		}
	}
	if len(reported) != len(bad)+len(msgs) {
		t.Errorf("%d errors reported, want %d", len(reported), len(bad)+len(msgs))
	}
	mu.Unlock()
	// A revocation over a malformed value replaces it.
	if err := l.RevokeSession(ctx, "bad1", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if v := rdb.Get(ctx, DefaultPrefix+"s:bad1").Val(); v != strconv.FormatInt(now.Add(time.Hour).UnixMilli(), 10) {
		t.Errorf("malformed value not replaced: %q", v)
	}
	if err := l.RevokeUser(ctx, "bad5", now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if v := rdb.Get(ctx, DefaultPrefix+"u:bad5").Val(); v != fmt.Sprintf("%d %d", now.UnixMilli(), now.Add(time.Hour).UnixMilli()) {
		t.Errorf("malformed user value not replaced: %q", v)
	}
}

// TestPrefixesAreIndependent: two lists with different prefixes on one
// Redis do not see each other's revocations.
func TestPrefixesAreIndependent(t *testing.T) {
	srv := startRedis(t)
	a := newList(t, srv.Addr(), Options{Prefix: "app1:"})
	b := newList(t, srv.Addr(), Options{Prefix: "app2:"})
	a2 := newList(t, srv.Addr(), Options{Prefix: "app1:"})
	ctx := context.Background()
	now := time.Now()
	if err := a.RevokeSession(ctx, "id", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "same prefix sees it", func() bool { return revoked(t, a2, "id", "", now) })
	time.Sleep(50 * time.Millisecond)
	if revoked(t, b, "id", "", now) || newList(t, srv.Addr(), Options{Prefix: "app2:"}).Stats().Entries != 0 {
		t.Error("a list with another prefix sees the revocation")
	}
}

func TestCloseStopsTheList(t *testing.T) {
	srv := startRedis(t)
	l := newList(t, srv.Addr(), Options{})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-l.done:
	default:
		t.Fatal("goroutine still running after Close")
	}
	r, err := l.Revoked(context.Background(), "x", "", time.Now())
	if !r || !errors.Is(err, cookiesession.ErrRevocationUnavailable) {
		t.Errorf("after Close: %v, %v; want fail closed", r, err)
	}
	if n := srv.Client().PubSubNumSub(context.Background(), DefaultPrefix+"events").Val()[DefaultPrefix+"events"]; n != 0 {
		t.Errorf("%d subscriptions left after Close", n)
	}
}

// TestRevokedDoesNotCallRedis: Revoked answers from the local view: no
// command, no dial.
func TestRevokedDoesNotCallRedis(t *testing.T) {
	srv := startRedis(t)
	l := newList(t, srv.Addr(), Options{})
	var calls atomic.Int64
	l.client.AddHook(countHook{&calls})
	now := time.Now()
	for i := 0; i < 1000; i++ {
		revoked(t, l, "id"+strconv.Itoa(i), "tom", now)
	}
	if calls.Load() != 0 {
		t.Errorf("Revoked made %d Redis calls", calls.Load())
	}
}

// countHook counts the dials and commands of a client.
type countHook struct{ n *atomic.Int64 }

func (h countHook) DialHook(next goredis.DialHook) goredis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		h.n.Add(1)
		return next(ctx, network, addr)
	}
}
func (h countHook) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}
func (h countHook) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

// TestRevokeSessionKeepsLaterExpiry: revoking an id again with an earlier
// expiry does not shorten its entry, in Redis or in any view.
func TestRevokeSessionKeepsLaterExpiry(t *testing.T) {
	srv := startRedis(t)
	a := newList(t, srv.Addr(), Options{})
	ctx := context.Background()
	now := time.Now()
	late, early := now.Add(2*time.Hour), now.Add(time.Hour)
	if err := a.RevokeSession(ctx, "id", late); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeSession(ctx, "id", early); err != nil {
		t.Fatal(err)
	}
	rdb := srv.Client()
	if pt := rdb.PExpireTime(ctx, DefaultPrefix+"s:id").Val(); pt.Milliseconds() != late.UnixMilli() {
		t.Errorf("key expires at %d, want %d", pt.Milliseconds(), late.UnixMilli())
	}
	if v := rdb.Get(ctx, DefaultPrefix+"s:id").Val(); v != strconv.FormatInt(late.UnixMilli(), 10) {
		t.Errorf("value %q", v)
	}
}
