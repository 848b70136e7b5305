package chunk

// Stale returns the names of the session's cookies that the request
// carried and a response writing cookies (the result of Split, or nil for
// an emptied session) leaves behind: the response must expire each of them
// (same Path and Domain, Max-Age=0), or a later request would carry
// chunks of an older write. The session's cookies are <name> and, in the
// Native form, <name>.1 … <name>.<HardMaxChunks-1> (every chunk name any
// MaxSize can produce, so shrinking MaxSize still cleans up), in the Iron
// form <name>.0 … <name>.3. Names come once each, <name> first, then by
// index; empty-valued cookies count as carried.
func (s *Scheme) Stale(request []Cookie, written []Cookie) []string {
	last := HardMaxChunks - 1
	first := 1
	if s.form == Iron {
		first, last = 0, IronMaxChunks-1
	}
	var carried [HardMaxChunks + 1]bool // index 0 … last; [len-1] is <name>
	head := len(carried) - 1
	mark := func(cs []Cookie, v bool) {
		for _, c := range cs {
			if c.Name == s.name {
				carried[head] = v
				continue
			}
			if i := s.index(c.Name); i >= first && i <= last {
				carried[i] = v
			}
		}
	}
	mark(request, true)
	mark(written, false)
	var names []string
	if carried[head] {
		names = append(names, s.name)
	}
	for i := first; i <= last; i++ {
		if carried[i] {
			names = append(names, s.chunkName(i))
		}
	}
	return names
}
