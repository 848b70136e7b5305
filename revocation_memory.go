package cookiesession

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// sweepPerWrite is how many expired entries each revocation removes at
// most, so that no single call pays for a large backlog at once. Each
// revocation adds at most one entry, so the backlog of expired entries
// still shrinks with every write.
const sweepPerWrite = 64

// MemoryRevocationList is a [RevocationList] held in this process's memory:
// the embedded default that tests and single-process apps use. A fleet of
// servers needs a shared list instead (the stores/redis module), since a
// revocation recorded here is seen by this process only and is lost when
// it exits.
//
// It is safe for concurrent use and starts no goroutine (nothing to
// close). Revoked takes a read lock and two map lookups and never
// allocates. An entry is dropped once its expiry has passed: Revoked
// ignores an expired entry at once, and every RevokeSession or RevokeUser
// removes up to 64 expired entries (the oldest first), so the memory held
// is bounded by the live entries plus a backlog of expired ones that every
// write shrinks; [MemoryRevocationList.Sweep] removes them sooner.
//
// Its errors: RevokeSession with an empty id, RevokeUser with an empty
// user or a zero before, and either with a zero expires are refused with
// an error (a zero expiry would keep the entry forever). A revocation
// whose expires has already passed records nothing and returns nil: the
// cookies it covers are refused anyway. Revoked never returns an error.
type MemoryRevocationList struct {
	mu       sync.RWMutex
	sessions map[string]*revocationEntry
	users    map[string]*revocationEntry
	expiry   expiryHeap
	peak     int              // most entries held since the maps were last made
	now      func() time.Time // time.Now; tests replace it
}

// A revocationEntry is one revoked session id or one revoked user. Times
// are Unix milliseconds, the precision the cookie carries.
type revocationEntry struct {
	key     string
	user    bool
	before  int64 // users: sessions created at or before this are revoked
	expires int64 // the entry is live while now <= expires
	index   int   // position in the expiry heap
}

// NewMemoryRevocationList returns an empty in-memory revocation list.
func NewMemoryRevocationList() *MemoryRevocationList {
	return &MemoryRevocationList{
		sessions: make(map[string]*revocationEntry),
		users:    make(map[string]*revocationEntry),
		now:      time.Now,
	}
}

var _ RevocationList = (*MemoryRevocationList)(nil)

// Revoked reports whether the session id was revoked, or whether user's
// sessions created at or before a logout-everywhere time (to the
// millisecond) were revoked, by an entry that has not expired. An empty
// id or user matches nothing. A zero created (a session whose creation
// time is unknown) is older than any logout-everywhere, so it is revoked
// by any live entry of its user. The error is always nil.
func (l *MemoryRevocationList) Revoked(_ context.Context, id, user string, created time.Time) (bool, error) {
	l.mu.RLock()
	var s, u *revocationEntry
	if id != "" {
		s = l.sessions[id]
	}
	if user != "" {
		u = l.users[user]
	}
	var sExp, uExp, uBefore int64
	if s != nil {
		sExp = s.expires
	}
	if u != nil {
		uExp, uBefore = u.expires, u.before
	}
	l.mu.RUnlock()
	if u != nil && created.UnixMilli() > uBefore {
		u = nil // a session created after its user's logout-everywhere
	}
	if s == nil && u == nil {
		return false, nil // the common case: no clock read
	}
	now := l.now().UnixMilli()
	return (s != nil && now <= sExp) || (u != nil && now <= uExp), nil
}

// RevokeSession revokes the session id until expires. Revoking an id
// again keeps the later of the two expiries. It returns an error only for
// an empty id or a zero expires.
func (l *MemoryRevocationList) RevokeSession(_ context.Context, id string, expires time.Time) error {
	if id == "" {
		return errEmptyID
	}
	if expires.IsZero() {
		return errZeroExpiry
	}
	l.upsert(id, false, 0, expires.UnixMilli())
	return nil
}

// RevokeUser revokes every session of user created at or before `before`
// (to the millisecond), until expires. Of several revocations of one user
// the latest `before` and the latest expires are kept, whatever the order
// of the calls. It returns an error only for an empty user or a zero
// before or expires.
func (l *MemoryRevocationList) RevokeUser(_ context.Context, user string, before, expires time.Time) error {
	if user == "" {
		return errEmptyUser
	}
	if before.IsZero() {
		return errZeroBefore
	}
	if expires.IsZero() {
		return errZeroExpiry
	}
	l.upsert(user, true, before.UnixMilli(), expires.UnixMilli())
	return nil
}

// upsert records or widens one entry (the later before, the later
// expires), after removing a bounded number of expired entries.
func (l *MemoryRevocationList) upsert(key string, user bool, before, expires int64) {
	now := l.now().UnixMilli()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweepLocked(now, sweepPerWrite) // may replace the maps: pick one after it
	m := l.sessions
	if user {
		m = l.users
	}
	e := m[key]
	if e != nil && now > e.expires {
		// Expired but not swept yet: it covers nothing any more.
		l.removeLocked(e)
		e = nil
	}
	if e == nil {
		if now > expires {
			return // covers only cookies that are refused anyway
		}
		e = &revocationEntry{key: key, user: user, before: before, expires: expires}
		m[key] = e
		heap.Push(&l.expiry, e)
		l.peak = max(l.peak, len(l.expiry))
		return
	}
	e.before = max(e.before, before)
	if expires > e.expires {
		e.expires = expires
		heap.Fix(&l.expiry, e.index)
	}
}

// Sweep removes up to limit entries whose expiry has passed (all of them
// when limit <= 0), soonest expiry first, and returns how many it removed.
// Revocations already remove expired entries a few at a time; Sweep is for
// a process that wants the memory back sooner (after a burst of
// short-lived revocations, say). A bounded limit keeps each call's hold
// of the lock short: call it again while it returns limit.
func (l *MemoryRevocationList) Sweep(limit int) int {
	if limit <= 0 {
		limit = -1
	}
	now := l.now().UnixMilli()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sweepLocked(now, limit)
}

// Len returns how many entries the list holds, expired ones not yet
// removed included.
func (l *MemoryRevocationList) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.expiry)
}

// sweepLocked removes up to limit expired entries (all when limit < 0),
// soonest expiry first.
func (l *MemoryRevocationList) sweepLocked(now int64, limit int) int {
	n := 0
	for len(l.expiry) > 0 && l.expiry[0].expires < now && n != limit {
		l.removeLocked(l.expiry[0])
		n++
	}
	if n > 0 && l.peak > 1024 && l.peak > 4*len(l.expiry) {
		l.shrinkLocked()
	}
	return n
}

// shrinkLocked copies the live entries into new maps and a new heap: Go
// maps and slices keep their largest size after deletions, so without
// this a burst of revocations would hold its memory after it expired.
// Its O(n) cost is paid once per fourfold shrink, so it is amortized over
// the deletions that made it due.
func (l *MemoryRevocationList) shrinkLocked() {
	sessions := make(map[string]*revocationEntry, len(l.sessions))
	for k, e := range l.sessions {
		sessions[k] = e
	}
	users := make(map[string]*revocationEntry, len(l.users))
	for k, e := range l.users {
		users[k] = e
	}
	l.sessions, l.users = sessions, users
	l.expiry = append(expiryHeap(nil), l.expiry...)
	l.peak = len(l.expiry)
}

func (l *MemoryRevocationList) removeLocked(e *revocationEntry) {
	heap.Remove(&l.expiry, e.index)
	if e.user {
		delete(l.users, e.key)
	} else {
		delete(l.sessions, e.key)
	}
}

// expiryHeap orders entries by expiry, soonest first.
type expiryHeap []*revocationEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires < h[j].expires }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *expiryHeap) Push(x any) {
	e := x.(*revocationEntry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.index = -1
	return e
}
