package main

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

// -redis with no Redis behind it: the example does not start, and says
// why, within the start timeout. A URL that does not parse is an error
// too.
func TestRedisUnreachableAtStart(t *testing.T) {
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t)) // nothing listens there
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	list, _, err := newRedisList(ctx, addr)
	if list != nil || !errors.Is(err, cookiesession.ErrRevocationUnavailable) {
		t.Fatalf("newRedisList(%s) = %v, %v; want an error wrapping ErrRevocationUnavailable", addr, list, err)
	}
	if took := time.Since(t0); took > 5*time.Second {
		t.Errorf("took %v for a start timeout of 300 ms", took)
	}
	if _, _, err := revocationList(false, "redis://127.0.0.1:notaport"); err == nil {
		t.Error("-redis redis://127.0.0.1:notaport: no error")
	}
}

// A revocation made while Redis is down keeps trying (within the
// patience) and lands once Redis is back, where another server, started
// afterwards, finds it. A refusal that is not Redis's absence is returned
// at once; an outage longer than the patience is an error wrapping
// ErrRevocationUnavailable, after about the patience.
func TestRedisPatientRevocation(t *testing.T) {
	rs := startRedis(t)
	list, release, err := revocationList(false, rs.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	p, ok := list.(patientList)
	if !ok {
		t.Fatalf("-redis gave %T", list)
	}
	ctx := context.Background()
	expires := time.Now().Add(time.Hour)

	t0 := time.Now()
	if err := p.RevokeSession(ctx, "", expires); err == nil || errors.Is(err, cookiesession.ErrRevocationUnavailable) {
		t.Errorf("empty id: %v", err)
	}
	if took := time.Since(t0); took > 50*time.Millisecond {
		t.Errorf("an empty id was tried for %v", took)
	}

	if err := rs.Stop(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.RevokeUser(ctx, "tom", time.Now(), expires) }()
	time.Sleep(2 * time.Second) // longer than one attempt (revocationAttempt)
	if err := rs.Start(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("RevokeUser across a Redis restart: %v", err)
	}
	other, releaseOther, err := revocationList(false, rs.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer releaseOther()
	if revoked, err := other.Revoked(ctx, "some-id", "tom", time.Now().Add(-time.Minute)); !revoked || err != nil {
		t.Errorf("a server started later: tom's older session revoked = %v, %v; want true", revoked, err)
	}

	if err := rs.Stop(); err != nil {
		t.Fatal(err)
	}
	short := patientList{List: p.List, patience: 300 * time.Millisecond, attempt: 100 * time.Millisecond}
	t0 = time.Now()
	err = short.RevokeSession(ctx, "an-id", expires)
	took := time.Since(t0)
	if !errors.Is(err, cookiesession.ErrRevocationUnavailable) {
		t.Errorf("Redis down beyond the patience: %v", err)
	}
	if took < 300*time.Millisecond || took > 3*time.Second {
		t.Errorf("Redis down beyond a patience of 300 ms: gave up after %v", took)
	}
}
