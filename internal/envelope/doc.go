// Package envelope compresses a session's JSON object before a format
// signs or encrypts it, and expands it again after the format has
// authenticated it: the layer between the chunks and the format (chunks ->
// envelope -> format -> JSON object).
//
// # Wire form
//
// A payload is either the JSON object itself, untouched, or
//
//	'~' DEFLATE(object)
//
// one marker byte '~' (0x7E) followed by the object compressed as a raw
// DEFLATE stream (RFC 1951, compress/flate at its default level). A JSON
// object starts with '{' (or, in JSON text, whitespace before it), never
// with '~', so the marker cannot be mistaken for an object, and a payload
// without it passes through [Envelope.Unpack] unchanged: with compression
// off, or for an object that compression would not shorten, the wire
// format is exactly the one without this layer. Raw DEFLATE rather than
// zlib: the format's MAC already covers the bytes, so zlib's header and
// Adler-32 would add six bytes for nothing.
//
// [Envelope.Pack] compresses only when the result is shorter than the
// object, the object is at most MaxSize bytes, and the expansion stays
// within MaxRatio, so everything Pack writes, Unpack reads back.
//
// # Bounds on expansion
//
// Unpack is called only on a payload the format has authenticated, but a
// leaked key, an unsigned type (base64) or a bug must not turn a cookie
// into a decompression bomb: DEFLATE expands up to about 1032 to 1, so a
// 4 KB cookie could claim 4 MB. Unpack stops inflating at
// min(MaxSize, MaxRatio × payload length) bytes and refuses the payload
// with [format.ErrTooLarge]; the work done is bounded by that figure, not
// by what the stream claims. A corrupt stream, trailing bytes after the
// stream's end, or an expansion that is not a JSON object is
// [format.ErrMalformed].
//
// # Compression and encryption: what it leaks (CRIME, BREACH)
//
// Compression makes a cookie's length depend on its content: a session
// whose values repeat each other compresses better. When a session holds a
// secret (a CSRF token, an API key, an email address) next to a value an
// attacker chooses (a search term, a display name, a "return to" path),
// an attacker who can set that value and see the cookie's length learns
// whether their guess repeats the secret: the cookie gets shorter when it
// does. Guessing one character at a time recovers the secret with a
// number of requests proportional to its length. This is the CRIME (2012, TLS compression) and BREACH
// (2013, HTTP body compression) attack on cookies. Lengths are easy to
// see: TLS hides content, not length, so anyone on the network path
// measures the Set-Cookie and Cookie headers, and a script on another site
// can make the victim's browser send requests that store the attacker's
// values.
//
// The leak does not depend on the cookie format: a jwt or base64 cookie
// inside TLS leaks the same way to a network observer. But for those the
// client can already read every value, so they should hold nothing secret
// from the user. A fernet (or other encrypted) session is chosen precisely
// to hide values, and compression undoes that against anyone who can
// inject a value and observe lengths. Hence the rule for the cookie
// layer: compression with an encrypting format is refused unless the
// configuration opts in explicitly, and compression is not for sessions
// that mix attacker-chosen values with secrets, whatever the format.
package envelope
