package itsdangerous

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/cookiesession/cookiesession/internal/format"
)

// MaxDecompressed bounds the JSON a compressed payload may inflate to: a
// cookie of at most 4096 bytes holding a zip bomb (validly signed, by a
// leaked key or a careless writer) is refused with format.ErrTooLarge after
// inflating at most this much. A framework-written session never comes
// near it: the frameworks' own cookies are limited to about 4 KB.
const MaxDecompressed = 64 << 10

// CompressionLevel is the zlib level EncodeURLSafe compresses at: 6, the
// default of zlib and of Python's zlib.compress, which Flask and Django
// call.
const CompressionLevel = 6

// EncodeURLSafe returns json as itsdangerous' URLSafeSerializerMixin and
// Django's signing.dumps(compress=True) write it: zlib-compressed
// (compress/zlib at CompressionLevel) and prefixed with "." when the
// compressed form is shorter than len(json)-1, the frameworks' own rule,
// then base64url without padding.
//
// The frameworks inflate any valid zlib stream, so they read a compressed
// token as their own, but its bytes are Go's deflate, not CPython's: a
// compressed token is not the framework's byte for byte. Go's stream is
// also a few bytes longer for cookie-sized input (it ends with an empty
// stored block), so a session that compresses by only a few bytes stays
// uncompressed here where the frameworks compress it; both forms are
// valid for them. A token neither side compresses is the framework's byte
// for byte. The error is only the compressor's (none is expected with a
// valid level and a memory buffer).
func EncodeURLSafe(json []byte) ([]byte, error) {
	var zb bytes.Buffer
	zw, err := getZlibWriter(&zb)
	if err != nil {
		return nil, fmt.Errorf("zlib: %w", err)
	}
	defer zlibWriters.Put(zw)
	if _, err := zw.Write(json); err != nil {
		return nil, fmt.Errorf("zlib: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("zlib: %w", err)
	}
	data, compressed := json, false
	if z := zb.Bytes(); len(z) < len(json)-1 {
		data, compressed = z, true
	}
	out := make([]byte, 0, 1+b64.EncodedLen(len(data)))
	if compressed {
		out = append(out, '.')
	}
	return b64.AppendEncode(out, data), nil
}

// DecodeURLSafe reverses EncodeURLSafe: strict base64url without padding,
// then, if the payload starts with ".", zlib inflation bounded by
// MaxDecompressed (format.ErrTooLarge beyond it). A zlib stream must be
// complete, with a correct checksum and nothing after it. Call it only on
// a payload whose signature has been checked.
func DecodeURLSafe(payload []byte) ([]byte, error) {
	compressed := len(payload) > 0 && payload[0] == '.'
	if compressed {
		payload = payload[1:]
	}
	data := make([]byte, b64.DecodedLen(len(payload)))
	n, err := b64.Decode(data, payload)
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %v", format.ErrMalformed, err)
	}
	data = data[:n]
	if !compressed {
		return data, nil
	}
	return Inflate(data, MaxDecompressed)
}

// Inflate returns the zlib stream data inflated, refusing more than limit
// bytes of output (format.ErrTooLarge), an incomplete or corrupt stream
// and trailing bytes after it (format.ErrMalformed).
func Inflate(data []byte, limit int) ([]byte, error) {
	br := bytes.NewReader(data)
	r, err := zlib.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: zlib: %v", format.ErrMalformed, err)
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: zlib: truncated stream", format.ErrMalformed)
		}
		return nil, fmt.Errorf("%w: zlib: %v", format.ErrMalformed, err)
	}
	if len(out) > limit {
		return nil, fmt.Errorf("%w: payload inflates beyond %d bytes", format.ErrTooLarge, limit)
	}
	if br.Len() != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the zlib stream", format.ErrMalformed, br.Len())
	}
	return out, nil
}

// zlibWriters keeps zlib writers between writes: each holds several
// hundred kilobytes of DEFLATE state, too much to make per cookie.
var zlibWriters sync.Pool

// getZlibWriter returns a pooled zlib writer (CompressionLevel) reset to
// write to w. The caller puts it back when done.
func getZlibWriter(w io.Writer) (*zlib.Writer, error) {
	if zw, ok := zlibWriters.Get().(*zlib.Writer); ok {
		zw.Reset(w)
		return zw, nil
	}
	return zlib.NewWriterLevel(w, CompressionLevel)
}
