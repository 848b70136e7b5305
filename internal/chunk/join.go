package chunk

import (
	"fmt"
	"strings"

	"github.com/cookiesession/cookiesession/internal/format"
)

// Join returns the logical values a request's cookies may carry, best
// first, for the format to authenticate in turn (the first that opens
// wins). cookies are all the request's cookies in the order of its Cookie
// header (several may share a name; others' cookies are ignored); values
// may still be wrapped in one pair of double quotes.
//
// Native form: each distinct non-empty <name> cookie, in order, gives at
// most one value: itself if it has no chunk header, else its chunks
// reassembled (of the <name>.<i> cookies, those carrying the header's
// digest, and, if several do, the combination whose whole hashes to it).
// Iron form: the distinct non-empty <name> cookies, each whole; only if
// there is none, the concatenation of <name>.0, <name>.1, … up to the
// first missing or empty index (and, with duplicate chunks, further
// combinations, the first occurrences first).
//
// Every value returned takes at most MaxSize bytes of Cookie header, and at
// most [MaxCandidates] reassemblies are tried, whatever the request holds.
// err is the first reason a cookie of the session was refused, wrapping
// [format.ErrTooLarge] (a cookie over MaxCookieBytes, a count over
// MaxChunks, a whole over MaxSize) or [format.ErrMalformed] (a bad header, a
// missing chunk, chunks of different writes). It may be set beside
// returned values. No values and a nil error: the request carries no
// session.
func (s *Scheme) Join(cookies []Cookie) (values []string, err error) {
	sc := s.scan(cookies)
	if s.form == Iron {
		values, err = s.joinIron(sc)
	} else {
		values, err = s.joinNative(sc)
	}
	if sc.err != nil {
		err = sc.err
	}
	return values, err
}

// scanned is what one pass over a request's cookies keeps.
type scanned struct {
	heads []string   // distinct non-empty <name> values, at most MaxCandidates
	slots [][]string // slots[i]: distinct non-empty values of <name>.<i>
	err   error      // the first cookie refused for its size
}

// maxDuplicates bounds the distinct values kept per chunk name.
const maxDuplicates = MaxCandidates

// scan reads cookies once, keeping the session's own.
func (s *Scheme) scan(cookies []Cookie) scanned {
	var sc scanned
	first := 1
	if s.form == Iron {
		first = 0
	}
	sc.slots = make([][]string, s.maxChunks)
	for _, c := range cookies {
		if !strings.HasPrefix(c.Name, s.name) {
			continue
		}
		i := -1
		if len(c.Name) > len(s.name) {
			i = s.index(c.Name)
			if i < first || i >= s.maxChunks {
				continue
			}
		}
		v := unquote(c.Value)
		if v == "" {
			continue
		}
		if len(c.Name)+1+len(v) > MaxCookieBytes {
			if sc.err == nil {
				sc.err = fmt.Errorf("chunk: %w: cookie %q has %d bytes, the limit is %d", format.ErrTooLarge, c.Name, len(c.Name)+1+len(v), MaxCookieBytes)
			}
			continue
		}
		if i < 0 {
			if len(sc.heads) < MaxCandidates && !contains(sc.heads, v) {
				sc.heads = append(sc.heads, v)
			}
			continue
		}
		slot := sc.slots[i]
		if len(slot) < maxDuplicates && !contains(slot, v) {
			sc.slots[i] = append(slot, v)
		}
	}
	return sc
}

// index returns i for a cookie named <name>.<i> (i in canonical decimal,
// below 100), or -1.
func (s *Scheme) index(name string) int {
	if len(name) < len(s.name)+2 || name[len(s.name)] != '.' || name[:len(s.name)] != s.name {
		return -1
	}
	d := name[len(s.name)+1:]
	if len(d) > 2 || (len(d) == 2 && d[0] == '0') {
		return -1
	}
	i := 0
	for j := 0; j < len(d); j++ {
		if d[j] < '0' || d[j] > '9' {
			return -1
		}
		i = i*10 + int(d[j]-'0')
	}
	return i
}

// joinNative reassembles each head in turn.
func (s *Scheme) joinNative(sc scanned) (values []string, err error) {
	tries := MaxCandidates
	for _, head := range sc.heads {
		if head[0] != '!' {
			values = append(values, head)
			continue
		}
		v, headErr := s.reassemble(head, sc.slots, &tries)
		if headErr != nil {
			if err == nil {
				err = headErr
			}
			continue
		}
		values = append(values, v)
	}
	return values, err
}

// reassemble returns the value a Native head and its chunks carry, taking
// at most *tries combinations of duplicate chunks (each one spent).
func (s *Scheme) reassemble(head string, slots [][]string, tries *int) (string, error) {
	n, digest, p0, err := s.parseHead(head)
	if err != nil {
		return "", err
	}
	// The size of the head and the digest-matching pieces of each chunk.
	alts := make([][]string, n)
	alts[0] = []string{p0}
	prefix := digest + "."
	for i := 1; i < n; i++ {
		for _, v := range slots[i] {
			if len(v) > len(prefix) && strings.HasPrefix(v, prefix) {
				alts[i] = append(alts[i], v[len(prefix):])
			}
		}
		if len(alts[i]) == 0 {
			if len(slots[i]) == 0 {
				return "", fmt.Errorf("chunk: %w: cookie %q of %d is missing", format.ErrMalformed, s.chunkName(i), n)
			}
			return "", fmt.Errorf("chunk: %w: cookie %q is from another write", format.ErrMalformed, s.chunkName(i))
		}
	}
	fixed := len(s.name) + 1 + len(head) + 2*(n-1)
	for i := 1; i < n; i++ {
		fixed += len(s.chunkName(i)) + 1 + len(prefix)
	}
	pick := make([]int, n)
	var firstErr error
	for *tries > 0 {
		*tries--
		total := fixed
		for i := 1; i < n; i++ {
			total += len(alts[i][pick[i]])
		}
		if total > s.maxSize {
			if firstErr == nil {
				firstErr = fmt.Errorf("chunk: %w: the chunks take %d bytes of Cookie header, the limit is %d", format.ErrTooLarge, total, s.maxSize)
			}
		} else {
			var b strings.Builder
			b.Grow(total)
			for i := 0; i < n; i++ {
				b.WriteString(alts[i][pick[i]])
			}
			v := b.String()
			if digestOf(v) == digest {
				return v, nil
			}
			if firstErr == nil {
				firstErr = fmt.Errorf("chunk: %w: the chunks of %q do not make up the value their header names (mixed, reordered or altered)", format.ErrMalformed, s.name)
			}
		}
		if !next(pick, alts) {
			break
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("chunk: %w: more than %d reassemblies of %q to try", format.ErrMalformed, MaxCandidates, s.name)
	}
	return "", firstErr
}

// parseHead reads "!<N>.<digest>.<p0>".
func (s *Scheme) parseHead(head string) (n int, digest, p0 string, err error) {
	count, rest, ok := strings.Cut(head[1:], ".")
	if !ok || count == "" {
		return 0, "", "", fmt.Errorf("chunk: %w: cookie %q has a chunk header without a count", format.ErrMalformed, s.name)
	}
	for i := 0; i < len(count); i++ {
		if count[i] < '0' || count[i] > '9' {
			return 0, "", "", fmt.Errorf("chunk: %w: cookie %q has a chunk count that is not a number", format.ErrMalformed, s.name)
		}
	}
	if count[0] == '0' {
		return 0, "", "", fmt.Errorf("chunk: %w: cookie %q has a chunk count with a leading zero", format.ErrMalformed, s.name)
	}
	// Compare as text first, so that no count is ever parsed into a
	// number that could overflow.
	if len(count) > 2 {
		return 0, "", "", fmt.Errorf("chunk: %w: cookie %q claims %s chunks, the limit is %d", format.ErrTooLarge, s.name, count, s.maxChunks)
	}
	n = int(count[0] - '0')
	if len(count) == 2 {
		n = n*10 + int(count[1]-'0')
	}
	if n > s.maxChunks {
		return 0, "", "", fmt.Errorf("chunk: %w: cookie %q claims %d chunks, the limit is %d", format.ErrTooLarge, s.name, n, s.maxChunks)
	}
	if len(rest) < digestLen+2 || rest[digestLen] != '.' {
		return 0, "", "", fmt.Errorf("chunk: %w: cookie %q has a chunk header without a digest", format.ErrMalformed, s.name)
	}
	return n, rest[:digestLen], rest[digestLen+1:], nil
}

// joinIron applies iron-session's rule: a whole cookie wins; else the
// chunks up to the first gap.
func (s *Scheme) joinIron(sc scanned) (values []string, err error) {
	if len(sc.heads) > 0 {
		return sc.heads, nil
	}
	n := 0
	for n < len(sc.slots) && len(sc.slots[n]) > 0 {
		n++
	}
	if n == 0 {
		return nil, nil
	}
	alts := sc.slots[:n]
	pick := make([]int, n)
	for tries := MaxCandidates; tries > 0; tries-- {
		total := 2 * (n - 1)
		for i := range alts {
			total += len(s.chunkName(i)) + 1 + len(alts[i][pick[i]])
		}
		if total > s.maxSize {
			if err == nil {
				err = fmt.Errorf("chunk: %w: the chunks take %d bytes of Cookie header, the limit is %d", format.ErrTooLarge, total, s.maxSize)
			}
		} else {
			var b strings.Builder
			b.Grow(total)
			for i := range alts {
				b.WriteString(alts[i][pick[i]])
			}
			values = append(values, b.String())
		}
		if !next(pick, alts) {
			break
		}
	}
	return values, err
}

// next advances pick to the next combination of alternatives, the last
// index fastest, and reports whether there is one. Index 0 of the Native
// form has a single alternative, so it never moves there.
func next(pick []int, alts [][]string) bool {
	for i := len(pick) - 1; i >= 0; i-- {
		pick[i]++
		if pick[i] < len(alts[i]) {
			return true
		}
		pick[i] = 0
	}
	return false
}

// unquote strips one pair of surrounding double quotes (RFC 6265 allows a
// quoted cookie-value).
func unquote(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
