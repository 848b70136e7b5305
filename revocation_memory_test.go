package cookiesession

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testClock is a settable clock for the in-memory list.
type testClock struct{ ns atomic.Int64 }

func newTestClock(t time.Time) *testClock {
	c := &testClock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *testClock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *testClock) Set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *testClock) Add(d time.Duration) { c.ns.Add(int64(d)) }
func newClockedList(c *testClock) *MemoryRevocationList {
	l := NewMemoryRevocationList()
	l.now = c.Now
	return l
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func mustRevoked(t *testing.T, l RevocationList, id, user string, created time.Time) bool {
	t.Helper()
	r, err := l.Revoked(context.Background(), id, user, created)
	if err != nil {
		t.Fatalf("Revoked(%q, %q, %v): %v", id, user, created, err)
	}
	return r
}

func TestMemoryRevokeSessionUntilExpiry(t *testing.T) {
	clock := newTestClock(t0)
	l := newClockedList(clock)
	ctx := context.Background()
	expires := t0.Add(10 * time.Second)
	if err := l.RevokeSession(ctx, "abc", expires); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		at   time.Time
		id   string
		want bool
	}{
		{t0, "abc", true},
		{t0, "abd", false},
		{t0, "", false},
		{expires.Add(-time.Millisecond), "abc", true},
		{expires, "abc", true},                             // live up to and at its expiry
		{expires.Add(999 * time.Microsecond), "abc", true}, // same millisecond
		{expires.Add(time.Millisecond), "abc", false},      // forgotten after it
		{expires.Add(time.Hour), "abc", false},
	}
	for _, c := range cases {
		clock.Set(c.at)
		if got := mustRevoked(t, l, c.id, "", t0.Add(-time.Hour)); got != c.want {
			t.Errorf("at %v id %q: revoked %v, want %v", c.at.Sub(t0), c.id, got, c.want)
		}
	}
	// The session entry does not depend on the user or creation time.
	clock.Set(t0)
	if !mustRevoked(t, l, "abc", "tom", t0.Add(time.Hour)) {
		t.Error("a revoked id with a user and a later creation time: not revoked")
	}
}

func TestMemoryRevokeUserToTheMillisecond(t *testing.T) {
	clock := newTestClock(t0)
	l := newClockedList(clock)
	ctx := context.Background()
	before := t0.Add(-time.Minute).Add(500 * time.Microsecond) // mid-millisecond
	if err := l.RevokeUser(ctx, "tom", before, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ms := before.Truncate(time.Millisecond)
	cases := []struct {
		name    string
		user    string
		created time.Time
		want    bool
	}{
		{"long before", "tom", before.Add(-24 * time.Hour), true},
		{"1 ms before", "tom", ms.Add(-time.Millisecond), true},
		{"start of the same ms", "tom", ms, true},
		{"exactly at", "tom", before, true},
		{"end of the same ms", "tom", ms.Add(999_999 * time.Nanosecond), true},
		{"1 ms after", "tom", ms.Add(time.Millisecond), false},
		{"long after", "tom", t0, false},
		{"zero creation time", "tom", time.Time{}, true},
		{"other user", "ann", before.Add(-time.Hour), false},
		{"no user", "", before.Add(-time.Hour), false},
	}
	for _, c := range cases {
		if got := mustRevoked(t, l, "some-id", c.user, c.created); got != c.want {
			t.Errorf("%s: revoked %v, want %v", c.name, got, c.want)
		}
	}
	// Up to and at the entry's expiry the user's sessions stay revoked;
	// after it, nothing of the user is.
	clock.Set(t0.Add(time.Hour))
	if !mustRevoked(t, l, "some-id", "tom", before.Add(-time.Hour)) {
		t.Error("user entry not enforced at its expiry")
	}
	clock.Add(time.Millisecond)
	if mustRevoked(t, l, "some-id", "tom", before.Add(-time.Hour)) {
		t.Error("user entry still enforced after its expiry")
	}
}

func TestMemoryRevokeUserLatestBeforeWins(t *testing.T) {
	clock := newTestClock(t0)
	l := newClockedList(clock)
	ctx := context.Background()
	early, late := t0.Add(-time.Hour), t0.Add(-time.Minute)
	// The later before arrives first, with the earlier expiry.
	if err := l.RevokeUser(ctx, "tom", late, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := l.RevokeUser(ctx, "tom", early, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	between := t0.Add(-30 * time.Minute)
	if !mustRevoked(t, l, "", "tom", between) {
		t.Error("an earlier before arriving later undid the later one")
	}
	// The later expiry is kept too: the entry lives as long as the
	// longest-lived session it covers.
	clock.Set(t0.Add(90 * time.Minute))
	if !mustRevoked(t, l, "", "tom", between) {
		t.Error("the later expiry was not kept")
	}
	if l.Len() != 1 {
		t.Errorf("Len = %d, want 1 (one user entry)", l.Len())
	}
	// Revoking a session again keeps the later expiry as well.
	clock.Set(t0)
	if err := l.RevokeSession(ctx, "s", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := l.RevokeSession(ctx, "s", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	clock.Set(t0.Add(30 * time.Minute))
	if !mustRevoked(t, l, "s", "", t0) {
		t.Error("a second RevokeSession with an earlier expiry shortened the first")
	}
}

func TestMemoryRevokeErrors(t *testing.T) {
	clock := newTestClock(t0)
	l := newClockedList(clock)
	ctx := context.Background()
	exp := t0.Add(time.Hour)
	for name, err := range map[string]error{
		"empty id":         l.RevokeSession(ctx, "", exp),
		"zero session exp": l.RevokeSession(ctx, "a", time.Time{}),
		"empty user":       l.RevokeUser(ctx, "", t0, exp),
		"zero before":      l.RevokeUser(ctx, "tom", time.Time{}, exp),
		"zero user expiry": l.RevokeUser(ctx, "tom", t0, time.Time{}),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if l.Len() != 0 {
		t.Errorf("refused revocations stored %d entries", l.Len())
	}
	// An expiry already past records nothing, without error.
	if err := l.RevokeSession(ctx, "old", t0.Add(-time.Millisecond)); err != nil {
		t.Errorf("past expiry: %v", err)
	}
	if err := l.RevokeUser(ctx, "old", t0, t0.Add(-time.Millisecond)); err != nil {
		t.Errorf("past user expiry: %v", err)
	}
	if l.Len() != 0 {
		t.Errorf("revocations that had already expired stored %d entries", l.Len())
	}
}

func TestMemoryExpiredEntriesAreDropped(t *testing.T) {
	clock := newTestClock(t0)
	l := newClockedList(clock)
	ctx := context.Background()
	const n = 1000
	for i := 0; i < n; i++ {
		if err := l.RevokeSession(ctx, "s"+strconv.Itoa(i), t0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.RevokeUser(ctx, "tom", t0, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if l.Len() != n+1 {
		t.Fatalf("Len = %d, want %d", l.Len(), n+1)
	}
	clock.Add(time.Second + time.Millisecond)
	// Each write removes a bounded number of expired entries.
	if err := l.RevokeSession(ctx, "fresh", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, want := l.Len(), n+1-sweepPerWrite+1; got != want {
		t.Errorf("after one write Len = %d, want %d (%d swept)", got, want, sweepPerWrite)
	}
	// Enough writes remove the whole backlog.
	for i := 0; i < n/sweepPerWrite+1; i++ {
		if err := l.RevokeSession(ctx, "fresh", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if l.Len() != 1 {
		t.Errorf("after the backlog was swept Len = %d, want 1", l.Len())
	}
	if !mustRevoked(t, l, "fresh", "", t0) || mustRevoked(t, l, "s1", "tom", t0) {
		t.Error("sweeping removed a live entry or kept an expired one")
	}
}

func TestMemorySweepGivesMemoryBack(t *testing.T) {
	clock := newTestClock(t0)
	l := newClockedList(clock)
	ctx := context.Background()
	const n = 20000
	for i := 0; i < n; i++ {
		exp := t0.Add(time.Second)
		if i%100 == 0 {
			exp = t0.Add(time.Hour) // 1% outlive the burst
		}
		if err := l.RevokeSession(ctx, "s"+strconv.Itoa(i), exp); err != nil {
			t.Fatal(err)
		}
	}
	clock.Add(2 * time.Second)
	if got := l.Sweep(1000); got != 1000 {
		t.Errorf("Sweep(1000) removed %d", got)
	}
	if got := l.Sweep(0); got != n-n/100-1000 {
		t.Errorf("Sweep(0) removed %d, want %d", got, n-n/100-1000)
	}
	if l.Len() != n/100 || len(l.sessions) != n/100 {
		t.Errorf("after Sweep: Len %d, map %d, want %d", l.Len(), len(l.sessions), n/100)
	}
	if l.peak != n/100 || cap(l.expiry) > n/10 {
		t.Errorf("maps not remade after the burst expired: peak %d, heap cap %d", l.peak, cap(l.expiry))
	}
	for i := 0; i < n; i += 100 {
		if !mustRevoked(t, l, "s"+strconv.Itoa(i), "", t0) {
			t.Fatalf("live entry s%d lost when the maps were remade", i)
		}
	}
	// Writes after the maps were remade go to the new maps.
	if err := l.RevokeSession(ctx, "after", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !mustRevoked(t, l, "after", "", t0) {
		t.Error("a revocation after the maps were remade is not seen")
	}
}

// TestMemoryExpiredUnsweptUserEntry: a user entry that expired but was not
// swept yet (behind a backlog) is replaced, not widened, by a new
// revocation: its later before covered only sessions that have expired.
func TestMemoryExpiredUnsweptUserEntry(t *testing.T) {
	clock := newTestClock(t0)
	l := newClockedList(clock)
	ctx := context.Background()
	for i := 0; i < 2*sweepPerWrite; i++ {
		if err := l.RevokeSession(ctx, "s"+strconv.Itoa(i), t0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	late, early := t0.Add(-time.Minute), t0.Add(-time.Hour)
	if err := l.RevokeUser(ctx, "tom", late, t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	clock.Add(3 * time.Second)
	if err := l.RevokeUser(ctx, "tom", early, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if mustRevoked(t, l, "", "tom", t0.Add(-30*time.Minute)) {
		t.Error("the expired entry's before outlived it")
	}
	if !mustRevoked(t, l, "", "tom", early) {
		t.Error("the new revocation is not enforced")
	}
}

// TestMemoryShrinkDuringWrite: a write whose own sweep remakes the maps
// stores its entry in the new maps.
func TestMemoryShrinkDuringWrite(t *testing.T) {
	clock := newTestClock(t0)
	l := newClockedList(clock)
	ctx := context.Background()
	for i := 0; i < 2000; i++ {
		if err := l.RevokeSession(ctx, "s"+strconv.Itoa(i), t0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	clock.Add(2 * time.Second)
	for i := 0; i < 2000/sweepPerWrite+2; i++ {
		id := "new" + strconv.Itoa(i)
		if err := l.RevokeSession(ctx, id, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if !mustRevoked(t, l, id, "", t0) {
			t.Fatalf("write %d lost while the maps were remade", i)
		}
	}
}

func TestMemoryConcurrentRevocations(t *testing.T) {
	l := NewMemoryRevocationList()
	ctx := context.Background()
	now := time.Now()
	const writers, perWriter = 8, 200
	var wg sync.WaitGroup
	var latest atomic.Int64
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				// Befores in scrambled order across writers.
				before := now.Add(-time.Duration((i*writers+w)*7919%(writers*perWriter)) * time.Millisecond)
				if err := l.RevokeUser(ctx, "tom", before, now.Add(time.Hour)); err != nil {
					t.Error(err)
					return
				}
				if err := l.RevokeSession(ctx, fmt.Sprintf("w%d-%d", w, i), now.Add(time.Hour)); err != nil {
					t.Error(err)
					return
				}
				for {
					old := latest.Load()
					if before.UnixMilli() <= old || latest.CompareAndSwap(old, before.UnixMilli()) {
						break
					}
				}
			}
		}(w)
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for r := 0; r < 4; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for i := 0; i < 20000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := l.Revoked(ctx, "w0-0", "tom", now); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	want := time.UnixMilli(latest.Load())
	if !mustRevoked(t, l, "", "tom", want) {
		t.Errorf("session created at the latest before (%v) not revoked", want)
	}
	if mustRevoked(t, l, "", "tom", want.Add(time.Millisecond)) {
		t.Error("session created after every before is revoked")
	}
	if l.Len() != writers*perWriter+1 {
		t.Errorf("Len = %d, want %d", l.Len(), writers*perWriter+1)
	}
	for w := 0; w < writers; w++ {
		if !mustRevoked(t, l, fmt.Sprintf("w%d-%d", w, perWriter-1), "", now) {
			t.Errorf("writer %d's last revocation lost", w)
		}
	}
}

// BenchmarkMemoryRevoked: the per-request cost with 100,000 entries (half
// sessions, half users): a session none of whose keys is listed (the
// common case: two map lookups), one whose user has a logout-everywhere
// older than the session (the lookups and a clock read), and a revoked one.
func BenchmarkMemoryRevoked(b *testing.B) {
	l := NewMemoryRevocationList()
	ctx := context.Background()
	now := time.Now()
	for i := 0; i < 50000; i++ {
		_ = l.RevokeSession(ctx, fmt.Sprintf("session-%032d", i), now.Add(time.Hour))
		_ = l.RevokeUser(ctx, fmt.Sprintf("user-%d", i), now.Add(-time.Hour), now.Add(time.Hour))
	}
	if l.Len() != 100000 {
		b.Fatalf("Len = %d", l.Len())
	}
	notListed := fmt.Sprintf("session-%032d", 99999999)
	for _, c := range []struct {
		name, id, user string
		want           bool
	}{
		{"miss", notListed, "user-99999999", false},
		{"user-listed-not-revoked", notListed, "user-7", false},
		{"hit", fmt.Sprintf("session-%032d", 4242), "", true},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if r, _ := l.Revoked(ctx, c.id, c.user, now); r != c.want {
						b.Fatal("wrong answer")
					}
				}
			})
		})
	}
}

// A logout and a logout everywhere, as the lifecycle rules will ask the
// list about each session read.
func ExampleMemoryRevocationList() {
	list := NewMemoryRevocationList()
	ctx := context.Background()
	login := time.Now().Add(-time.Hour)
	expires := time.Now().Add(14 * 24 * time.Hour) // when the cookies would be refused anyway

	// Logout: the session's id is revoked.
	_ = list.RevokeSession(ctx, "id-of-the-old-cookie", expires)
	revoked, _ := list.Revoked(ctx, "id-of-the-old-cookie", "tom", login)
	fmt.Println("replayed cookie revoked:", revoked)

	// Logout everywhere: every session of ann created up to now.
	_ = list.RevokeUser(ctx, "ann", time.Now(), expires)
	revoked, _ = list.Revoked(ctx, "another-id", "ann", login)
	fmt.Println("ann's older session revoked:", revoked)
	revoked, _ = list.Revoked(ctx, "new-id", "ann", time.Now().Add(time.Second))
	fmt.Println("ann's next login revoked:", revoked)
	// Output:
	// replayed cookie revoked: true
	// ann's older session revoked: true
	// ann's next login revoked: false
}
