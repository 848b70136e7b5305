package cookiesession

import (
	"testing"
	"time"
)

func TestLogLimiterBoundsEachReasonPerInterval(t *testing.T) {
	var l logLimiter
	t0 := time.Unix(1_700_000_000, 0)
	written := map[string]int{}
	for i := 0; i < 1000; i++ {
		for _, reason := range []string{"signature", "malformed"} {
			if ok, _ := l.allow(reason, t0.Add(time.Duration(i)*time.Millisecond)); ok {
				written[reason]++
			}
		}
	}
	if written["signature"] != logBurst || written["malformed"] != logBurst {
		t.Fatalf("one interval: written %v, want %d per reason", written, logBurst)
	}
	// The next interval writes again, and its first record tells how many
	// were left out before it.
	ok, suppressed := l.allow("signature", t0.Add(logInterval+time.Second))
	if !ok || suppressed != 1000-logBurst {
		t.Fatalf("next interval: allow = %v, suppressed = %d, want true, %d", ok, suppressed, 1000-logBurst)
	}
	if ok, suppressed := l.allow("signature", t0.Add(logInterval+2*time.Second)); !ok || suppressed != 0 {
		t.Fatalf("second record of the next interval: allow = %v, suppressed = %d, want true, 0", ok, suppressed)
	}
}

func TestLogLimiterCarriesSuppressedAcrossQuietIntervals(t *testing.T) {
	var l logLimiter
	t0 := time.Unix(1_700_000_000, 0)
	for i := 0; i < logBurst+5; i++ {
		l.allow("expired", t0)
	}
	// Two intervals later, with nothing in between, the count is still told.
	ok, suppressed := l.allow("expired", t0.Add(3*logInterval))
	if !ok || suppressed != 5 {
		t.Fatalf("allow = %v, suppressed = %d, want true, 5", ok, suppressed)
	}
	// A clock that steps back starts a new window rather than stalling.
	for i := 0; i < logBurst; i++ {
		l.allow("expired", t0.Add(3*logInterval))
	}
	if ok, _ := l.allow("expired", t0); !ok {
		t.Fatal("a clock stepping back kept the window closed")
	}
}
