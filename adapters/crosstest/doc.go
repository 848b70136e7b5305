// Package crosstest holds a test only: a session cookie written through any
// of the adapters (gin, echo, fiber), chi or the net/http middleware is read
// through every other one with the same configuration, also for sessions of
// several cookies (chunks, iron-session, cookie-session), flash messages and
// rolling re-issues. It is a module of its
// own so that it can require all the frameworks without any adapter, or the
// core, requiring the others.
package crosstest
