package cookiesession

// Loaded reports whether the session's cookie has been read, that is,
// whether the handler has touched the session, so that the response depends
// on the request's cookie. [Manager.Handler] then adds "Vary: Cookie" to the
// response; adapters for frameworks that use [Manager.Load] and
// [Manager.Save] call Loaded to do the same. It does not load the session.
func (s *Session) Loaded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loaded
}
