package envelope

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/cookiesession/cookiesession/internal/format"
)

// Marker is the first byte of a compressed payload.
const Marker = '~'

// Limits. Sizes are in bytes of JSON.
const (
	// DefaultMaxSize is Options.MaxSize when zero: a session object of
	// 64 KiB, decoded on every request, is already far past what a cookie
	// session should hold.
	DefaultMaxSize = 64 << 10
	// MinMaxSize is the smallest Options.MaxSize accepted: what one plain
	// cookie can hold.
	MinMaxSize = 4 << 10
	// HardMaxSize is the largest Options.MaxSize accepted.
	HardMaxSize = 1 << 20
	// DefaultMaxRatio is Options.MaxRatio when zero. Sessions of JSON
	// compress 2 to 10 times (the benchmark's 10 KB session about 4
	// times); 64 leaves room for repetitive ones while refusing a bomb
	// (DEFLATE reaches about 1032) early.
	DefaultMaxRatio = 64
	// MinMaxRatio is the smallest Options.MaxRatio accepted.
	MinMaxRatio = 2
	// HardMaxRatio is the largest Options.MaxRatio accepted: DEFLATE's own
	// limit, beyond which the ratio bounds nothing.
	HardMaxRatio = 1032
)

// Options configure an [Envelope].
type Options struct {
	// MaxSize is the most bytes a compressed payload may expand to, and
	// the largest object Pack compresses (a larger one is left plain).
	// Zero means DefaultMaxSize; accepted MinMaxSize … HardMaxSize.
	MaxSize int
	// MaxRatio is the most bytes of object per byte of compressed payload
	// (marker included). Zero means DefaultMaxRatio; accepted MinMaxRatio …
	// HardMaxRatio.
	MaxRatio int
}

// An Envelope compresses and expands session objects. Make one with [New];
// it is immutable and safe for concurrent use.
type Envelope struct {
	maxSize  int
	maxRatio int
}

// New returns an Envelope, or an error for options outside the ranges
// stated on [Options].
func New(o Options) (*Envelope, error) {
	e := &Envelope{maxSize: o.MaxSize, maxRatio: o.MaxRatio}
	if e.maxSize == 0 {
		e.maxSize = DefaultMaxSize
	}
	if e.maxRatio == 0 {
		e.maxRatio = DefaultMaxRatio
	}
	if e.maxSize < MinMaxSize || e.maxSize > HardMaxSize {
		return nil, fmt.Errorf("envelope: MaxSize %d is outside %d…%d", e.maxSize, MinMaxSize, HardMaxSize)
	}
	if e.maxRatio < MinMaxRatio || e.maxRatio > HardMaxRatio {
		return nil, fmt.Errorf("envelope: MaxRatio %d is outside %d…%d", e.maxRatio, MinMaxRatio, HardMaxRatio)
	}
	return e, nil
}

// MaxSize returns the bound on an expanded payload.
func (e *Envelope) MaxSize() int { return e.maxSize }

// MaxRatio returns the bound on the expansion ratio.
func (e *Envelope) MaxRatio() int { return e.maxRatio }

// Pack returns the payload to seal for object: the marker and object's
// DEFLATE stream when that is shorter than object (and object is at most
// MaxSize bytes, and expands at most MaxRatio times), else object itself,
// unchanged. The error, wrapping [format.ErrMalformed], is for an object
// that does not start with '{' (the root package writes compact JSON
// objects only).
func (e *Envelope) Pack(object []byte) ([]byte, error) {
	if len(object) == 0 || object[0] != '{' {
		return nil, fmt.Errorf("envelope: %w: not a compact JSON object", format.ErrMalformed)
	}
	// Shorter needs at least the marker and one byte of stream; larger
	// than MaxSize would be refused when read.
	if len(object) < 3 || len(object) > e.maxSize {
		return object, nil
	}
	buf := bytes.NewBuffer(make([]byte, 0, len(object)/2+16))
	buf.WriteByte(Marker)
	w := writers.Get().(*flate.Writer)
	w.Reset(buf)
	_, err := w.Write(object)
	if err == nil {
		err = w.Close()
	}
	writers.Put(w)
	if err != nil { // bytes.Buffer never fails; kept for the contract
		return nil, fmt.Errorf("envelope: compressing: %w", err)
	}
	packed := buf.Bytes()
	if len(packed) >= len(object) || len(object) > e.maxRatio*len(packed) {
		return object, nil
	}
	return packed, nil
}

// Unpack returns the object a payload holds: payload itself, unchanged,
// unless it starts with the marker; else the DEFLATE stream after the
// marker, expanded. Call it only on a payload the format has
// authenticated.
//
// Errors: an expansion past min(MaxSize, MaxRatio × len(payload)) wraps
// [format.ErrTooLarge] (inflating stops there); a corrupt or truncated
// stream, bytes after the stream's end, or an expansion that does not
// start with '{' wrap [format.ErrMalformed].
func (e *Envelope) Unpack(payload []byte) ([]byte, error) {
	if len(payload) == 0 || payload[0] != Marker {
		return payload, nil
	}
	limit := min(e.maxSize, e.maxRatio*len(payload))
	in := bytes.NewReader(payload[1:])
	r := readers.Get().(io.ReadCloser)
	defer func() {
		_ = r.(flate.Resetter).Reset(empty, nil) // drop the reference to payload
		readers.Put(r)
	}()
	if err := r.(flate.Resetter).Reset(in, nil); err != nil {
		return nil, fmt.Errorf("envelope: %w: %v", format.ErrMalformed, err)
	}
	out := bytes.NewBuffer(make([]byte, 0, min(limit+1, 4*len(payload)+64)))
	n, err := out.ReadFrom(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("envelope: %w: truncated compressed payload", format.ErrMalformed)
		}
		return nil, fmt.Errorf("envelope: %w: corrupt compressed payload: %v", format.ErrMalformed, err)
	}
	if n > int64(limit) {
		return nil, fmt.Errorf("envelope: %w: a compressed payload of %d bytes expands past %d bytes (MaxSize %d, MaxRatio %d)", format.ErrTooLarge, len(payload), limit, e.maxSize, e.maxRatio)
	}
	if in.Len() != 0 {
		return nil, fmt.Errorf("envelope: %w: %d bytes after the compressed stream", format.ErrMalformed, in.Len())
	}
	object := out.Bytes()
	if len(object) == 0 || object[0] != '{' {
		return nil, fmt.Errorf("envelope: %w: the compressed payload holds no JSON object", format.ErrMalformed)
	}
	return object, nil
}

// writers and readers pool DEFLATE state: a compressor allocates several
// hundred KB, a decompressor about 40 KB.
var (
	empty   = bytes.NewReader(nil)
	writers = sync.Pool{New: func() any {
		w, err := flate.NewWriter(io.Discard, flate.DefaultCompression)
		if err != nil {
			panic(err) // only for an invalid level
		}
		return w
	}}
	readers = sync.Pool{New: func() any {
		return flate.NewReader(empty)
	}}
)
