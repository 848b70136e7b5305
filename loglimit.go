package cookiesession

import (
	"sync"
	"time"
)

// The default logger's flood guard: one client sending a bad cookie in a
// loop must not write a log record per request. Per reason, the first
// logBurst records of each logInterval are written; the rest are counted,
// and the first record written after them says how many were left out.
// Stats counts every one, and a Config.ErrorHandler sees every error.
const (
	logBurst    = 10
	logInterval = time.Minute
)

// logLimiter decides which log records to write. It is used only on the
// error path, so a mutex is cheap enough.
type logLimiter struct {
	mu      sync.Mutex
	windows map[string]*logWindow
}

type logWindow struct {
	start      time.Time
	written    int
	suppressed int // in this window so far
	carried    int // suppressed in earlier windows, not yet told
}

// allow reports whether a record of reason may be written at now and, if
// so, how many records of that reason were left out since the last one
// written.
func (l *logLimiter) allow(reason string, now time.Time) (ok bool, suppressed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.windows == nil {
		l.windows = make(map[string]*logWindow)
	}
	w := l.windows[reason]
	if w == nil {
		w = &logWindow{start: now}
		l.windows[reason] = w
	}
	if now.Sub(w.start) >= logInterval || now.Before(w.start) {
		w.carried += w.suppressed
		w.start, w.written, w.suppressed = now, 0, 0
	}
	if w.written >= logBurst {
		w.suppressed++
		return false, 0
	}
	w.written++
	suppressed, w.carried = w.carried, 0
	return true, suppressed
}
