// Package chunk spreads one logical cookie value over several cookies and
// reads it back: the layer below the envelope and the format (chunks ->
// envelope -> format -> JSON object). It knows cookie names and values and
// nothing else of HTTP: the cookie layer parses the request's Cookie header
// into an ordered list of (name, value) pairs, hands it to [Scheme.Join],
// and writes the cookies [Scheme.Split] returns, plus an expiring cookie for
// each name [Scheme.Stale] returns.
//
// Two chunk forms share one reader, chosen by [Options.Form].
//
// # cookiesession's form (Native)
//
// A value that fits in one cookie is written exactly as without chunking:
//
//	<name>=<value>
//
// A longer value is cut into the fewest pieces p0 … pN-1 that fit
// (N ≤ [Scheme.MaxChunks]), each cookie but the last filled to
// [Options.CookieBytes]:
//
//	<name>=!<N>.<digest>.<p0>
//	<name>.1=<digest>.<p1>
//	…
//	<name>.<N-1>=<digest>.<pN-1>
//
// N is written in decimal without leading zeros; <digest> is the first 6
// bytes of the SHA-256 of the whole value, as 8 characters of unpadded
// base64url. The value is p0 + p1 + … + pN-1.
//
// Why this shape:
//   - The first cookie keeps the session's name, so a one-cookie session is
//     byte for byte today's cookie (asgi-sessions reads it), and a reader
//     that does not know chunks refuses a chunked one as malformed instead
//     of misreading it. No format this module writes starts a value with
//     '!' (base64, base64url, Fernet's "gAAAA", "Fe26.2*" …); a value that
//     did would be written with the header even when it fits (N = 1), so
//     every value round-trips.
//   - The count sits in the first cookie, so the reader knows how many
//     chunks to expect: a missing chunk is an error, not a shorter value,
//     and chunks left over from a longer session (the ones a response
//     failed to expire) are ignored. A count above [Scheme.MaxChunks]
//     (say 10000) is refused with [format.ErrTooLarge] before any chunk is
//     looked up.
//   - The digest in every cookie tells the chunks of two writes apart before
//     any MAC is tried: a request carrying chunks from an older write, or a
//     duplicate chunk planted by a sibling subdomain, has the reader pick
//     the chunk whose digest matches, and the reassembled value must hash
//     to the digest, so mixed, reordered, duplicated or swapped chunks are
//     refused as a whole ([format.ErrMalformed]). This also holds for the
//     unsigned base64 type, which has no MAC to catch a mix.
//   - The digest is no security measure: anyone can compute it. What makes
//     a forged chunk fail is the format's signature or MAC over the whole
//     value, checked after reassembly; a chunk changes nothing the format
//     authenticates.
//   - Pieces are cut from the value as is, so chunk values use the
//     format's own alphabet plus '!' and '.', all cookie-safe (RFC 6265
//     cookie-octet), with no quoting or escaping.
//
// # iron-session's form (Iron)
//
// As iron-session 9 writes it with chunk: true: a value that fits is one
// cookie <name>; a longer one is cut into <name>.0, <name>.1, … (at most
// [IronMaxChunks]) with no header and no count cookie. The reader takes a
// non-empty <name> cookie if there is one (a whole cookie wins over
// chunks), else concatenates <name>.0, <name>.1, … up to the first missing
// or empty index. Only the format's MAC (the iron seal's HMAC) tells a good
// reassembly from a bad one.
//
// # Limits
//
// Per cookie: browsers store a cookie only if its name and value together
// take at most 4096 bytes (RFC 6265 section 6.1 asks for at least that;
// Chromium and Firefox enforce exactly it), and this module keeps each whole
// Set-Cookie line, attributes included, within 4096 bytes. The cookie layer
// states how many bytes of name=value it leaves room for in
// [Options.CookieBytes] (4096 minus the length of its attributes).
//
// Per domain: Chromium and Firefox keep at most 180 cookies per domain
// (Safari documents no figure); a session takes at most MaxSize/CookieBytes
// + 1 of them: 2 at the defaults, 5 at HardMaxSize with full-size cookies,
// [HardMaxChunks] (33) in the most extreme configuration accepted.
//
// Per request, the binding limit: every chunk is sent on every request in
// one Cookie header, and servers cap header lines. nginx's default
// large_client_header_buffers (4 8k) refuses a header line over 8 KiB with
// "400 Request Header Or Cookie Too Large"; Apache's LimitRequestFieldSize
// is 8190 bytes; Node.js allows 16 KiB for all headers together; Cloudflare
// 16 KB for one header and 32 KB for all; Go's http.Server 1 MB
// (DefaultMaxHeaderBytes). [Options.MaxSize] bounds what the session adds to
// the Cookie header: each name=value and the "; " between them.
//
//   - [DefaultMaxSize] (6 KiB, two cookies) stays under the 8 KiB header
//     lines of nginx and Apache with 2 KiB left for the site's other
//     cookies and the rest of the line.
//   - [HardMaxSize] (16 KiB) is the largest accepted: a larger session could
//     not reach a server behind Node.js's defaults or Cloudflare on any
//     request, so asking for more is a configuration error, not a choice.
//     Sessions that large belong in a server-side store.
//
// A value over MaxSize is refused by Split with [format.ErrTooLarge] (the
// caller writes nothing, so the browser keeps its last good session), and
// by Join before reassembly. Join never returns a value that takes more
// than MaxSize bytes of Cookie header, and does a bounded amount of work for
// any request: it scans the cookies once, and tries at most [MaxCandidates]
// reassemblies.
package chunk
