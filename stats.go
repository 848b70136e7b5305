package cookiesession

import (
	"errors"
	"sync/atomic"
)

// Stats is a snapshot of a Manager's counters, from [Manager.Stats]. Every
// count starts at zero when the Manager is made and only grows. It
// marshals to JSON with the names below, so it can be published as it is
// with the standard library's expvar:
//
//	expvar.Publish("cookiesession", expvar.Func(func() any { return m.Stats() }))
//
// An operator rotating keys reads DecodedByKey: once the entries of the
// previous keys stop growing (and MaxAge has passed since the rotation),
// those keys can be dropped.
type Stats struct {
	// DecodedByKey counts the cookies read, per key that authenticated
	// them: the current key (Config.SecretKey) first, then each of
	// Config.PreviousSecretKeys in order. For a type without keys
	// (base64) it has one entry.
	DecodedByKey []uint64 `json:"decoded_by_key"`
	// Migrated counts the cookies read through each of Config.MigrateFrom,
	// in order; empty when there is none.
	Migrated []uint64 `json:"migrated,omitempty"`
	// Refused counts the cookies refused, per reason: "signature",
	// "expired", "not_yet_valid", "malformed", "algorithm", "too_large",
	// "revoked" and "other" (a custom Codec's error that wraps none of the
	// package's sentinels). Every reason is present, zero or not.
	Refused map[string]uint64 `json:"refused"`
	// Written counts the session cookies sent (new or changed sessions,
	// re-issues included); Cleared the cookies expired because the
	// session was emptied.
	Written uint64 `json:"written"`
	Cleared uint64 `json:"cleared"`
	// Reissued counts the unchanged sessions written again, per cause:
	// "rolling" (Config.Rolling), "rotation" (read with a previous key),
	// "migration" (read from a Config.MigrateFrom format) and "upgrade"
	// (a cookie whose dates were set under another MaxAge). Each is also
	// counted in Written.
	Reissued map[string]uint64 `json:"reissued"`
	// NotSaved counts the changes that could not be sent, per reason:
	// "too_large" (the cookie would pass the size limit),
	// "headers_written" (changed after the response headers went out) and
	// "error" (anything else, such as a failing random source).
	NotSaved map[string]uint64 `json:"not_saved"`
}

// refusal reasons, in the order of refusalNames.
const (
	refusedSignature = iota
	refusedExpired
	refusedNotYetValid
	refusedMalformed
	refusedAlgorithm
	refusedTooLarge
	refusedRevoked
	refusedOther
	numRefusals
)

var refusalNames = [numRefusals]string{"signature", "expired", "not_yet_valid", "malformed", "algorithm", "too_large", "revoked", "other"}

// A reissueCause is why a session is written again although nothing
// changed; reissueNone for none.
type reissueCause uint8

// re-issue causes, in the order of reissueNames.
const (
	reissueNone reissueCause = iota
	reissueRolling
	reissueRotation
	reissueMigration
	reissueUpgrade
	numReissues
)

var reissueNames = [numReissues]string{"", "rolling", "rotation", "migration", "upgrade"}

// reasons a change was not saved, in the order of notSavedNames.
const (
	notSavedTooLarge = iota
	notSavedHeadersWritten
	notSavedError
	numNotSaved
)

var notSavedNames = [numNotSaved]string{"too_large", "headers_written", "error"}

// counters are a Manager's statistics: plain atomic integers, updated
// without locks or allocations on the request path.
type counters struct {
	decodedByKey []atomic.Uint64
	migrated     []atomic.Uint64
	refused      [numRefusals]atomic.Uint64
	written      atomic.Uint64
	cleared      atomic.Uint64
	reissued     [numReissues]atomic.Uint64
	notSaved     [numNotSaved]atomic.Uint64
}

func newCounters(keys, migrations int) *counters {
	return &counters{
		decodedByKey: make([]atomic.Uint64, max(keys, 1)),
		migrated:     make([]atomic.Uint64, migrations),
	}
}

// decoded counts a cookie read with key index key (-1 for a keyless type).
func (c *counters) decoded(key int) {
	if key < 0 || key >= len(c.decodedByKey) {
		key = 0
	}
	c.decodedByKey[key].Add(1)
}

// refusal counts a refused cookie under the reason err wraps.
func (c *counters) refusal(err error) { c.refused[refusalOf(err)].Add(1) }

// refusalOf returns the reason a refused cookie's error wraps.
func refusalOf(err error) int {
	switch {
	case errors.Is(err, ErrRevoked):
		return refusedRevoked
	case errors.Is(err, ErrTooLarge):
		return refusedTooLarge
	case errors.Is(err, ErrAlgorithm):
		return refusedAlgorithm
	case errors.Is(err, ErrSignature):
		return refusedSignature
	case errors.Is(err, ErrExpired):
		return refusedExpired
	case errors.Is(err, ErrNotYetValid):
		return refusedNotYetValid
	case errors.Is(err, ErrMalformed):
		return refusedMalformed
	}
	return refusedOther
}

// notSavedOf returns the reason a save failure's error wraps.
func notSavedOf(err error) int {
	switch {
	case errors.Is(err, ErrTooLarge):
		return notSavedTooLarge
	case errors.Is(err, ErrHeadersWritten):
		return notSavedHeadersWritten
	}
	return notSavedError
}

// snapshot reads every counter once.
func (c *counters) snapshot() Stats {
	s := Stats{
		DecodedByKey: make([]uint64, len(c.decodedByKey)),
		Refused:      make(map[string]uint64, numRefusals),
		Written:      c.written.Load(),
		Cleared:      c.cleared.Load(),
		Reissued:     make(map[string]uint64, numReissues-1),
		NotSaved:     make(map[string]uint64, numNotSaved),
	}
	for i := range c.decodedByKey {
		s.DecodedByKey[i] = c.decodedByKey[i].Load()
	}
	if len(c.migrated) > 0 {
		s.Migrated = make([]uint64, len(c.migrated))
		for i := range c.migrated {
			s.Migrated[i] = c.migrated[i].Load()
		}
	}
	for i, name := range refusalNames {
		s.Refused[name] = c.refused[i].Load()
	}
	for i := reissueNone + 1; i < numReissues; i++ {
		s.Reissued[reissueNames[i]] = c.reissued[i].Load()
	}
	for i, name := range notSavedNames {
		s.NotSaved[name] = c.notSaved[i].Load()
	}
	return s
}
