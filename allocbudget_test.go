package cookiesession

import (
	"runtime"
	"strconv"
	"strings"
)

// exactAllocBudgets reports whether the allocation budgets of the tests
// apply: they are counts of what the compiler keeps on the stack,
// measured with Go 1.24 to 1.26. Older compilers (the core builds with Go
// 1.22) move some of the encoders' stack buffers to the heap, and the race
// detector makes sync.Pool drop states; there the tests check only what
// does not depend on either.
func exactAllocBudgets() bool {
	if raceEnabled {
		return false
	}
	v := strings.TrimPrefix(runtime.Version(), "go1.")
	minor, err := strconv.Atoi(v[:strings.IndexAny(v+".", ".rc-")])
	return err != nil || minor >= 24 // a development version: as new
}
