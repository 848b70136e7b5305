//go:build race

package cookiesession

// raceEnabled: the race detector is on, and sync.Pool drops some of what
// it is given, so allocation counts that rely on a pool do not hold.
const raceEnabled = true
