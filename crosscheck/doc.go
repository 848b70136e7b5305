// Package crosscheck holds differential tests: the JWT and Fernet codecs of
// cookiesession, which use only the standard library, against the
// well-kept libraries for those formats, github.com/golang-jwt/jwt/v5 and
// github.com/fernet/fernet-go. It is a module of its own so that the core
// module never depends on them.
package crosscheck
