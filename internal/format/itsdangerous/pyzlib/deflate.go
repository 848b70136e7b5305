// Package pyzlib compresses as zlib's compress() does at its default level
// (6, the level of Python's zlib.compress, which Flask's itsdangerous and
// Django's signing use), byte for byte: the same LZ77 matches (zlib's lazy
// matcher with its hash chains and limits) and the same Huffman trees
// (zlib's tree construction and block type choice). It is a port of
// deflate_slow and trees.c of zlib 1.2.x/1.3 (madler/zlib) for inputs of
// up to MaxInput bytes, which zlib codes as one block without sliding its
// window; a longer input is compressed by compress/zlib (valid, not the
// same bytes). zlib-ng, which some systems ship as zlib, writes other
// (equally valid) bytes.
package pyzlib

import (
	"bytes"
	"compress/zlib"
	"hash/adler32"
)

// MaxInput is the longest input Compress codes exactly as zlib does: below
// zlib's symbol buffer (16383 symbols at memLevel 8) and its window.
const MaxInput = 16000

const (
	minMatch     = 3
	maxMatch     = 258
	wSize        = 1 << 15
	hashBits     = 15
	hashMask     = 1<<hashBits - 1
	hashShift    = (hashBits + minMatch - 1) / minMatch
	minLookahead = maxMatch + minMatch + 1
	maxDist      = wSize - minLookahead
	tooFar       = 4096
	// level 6: good_length 8, max_lazy 16, nice_length 128, max_chain 128
	goodMatch    = 8
	maxLazyMatch = 16
	niceMatch    = 128
	maxChain     = 128
)

// Compress returns data compressed as zlib.compress(data) (level 6)
// writes it: header 0x78 0x9c, one deflate block, Adler-32.
func Compress(data []byte) []byte {
	if len(data) > MaxInput {
		var b bytes.Buffer
		w, _ := zlib.NewWriterLevel(&b, zlib.DefaultCompression)
		w.Write(data)
		w.Close()
		return b.Bytes()
	}
	syms := lz77(data)
	var bw bitWriter
	bw.out = append(bw.out, 0x78, 0x9c)
	flushBlock(&bw, syms, data)
	bw.windup()
	sum := adler32.Checksum(data)
	return append(bw.out, byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum))
}

// symbol is one entry of zlib's symbol buffer: a literal (dist 0) or a
// match (dist > 0, lc = length - minMatch).
type symbol struct {
	dist uint16
	lc   uint8
}

// lz77 runs deflate_slow over data with Z_FINISH.
func lz77(data []byte) []symbol {
	n := len(data)
	// The window past the input is zero (zlib zeroes WIN_INIT bytes there),
	// and longest_match may read up to maxMatch+1 bytes past strstart.
	window := make([]byte, n+maxMatch+2)
	copy(window, data)
	head := make([]uint16, 1<<hashBits)
	prev := make([]uint16, wSize)
	var syms []symbol

	var insH uint32
	updateHash := func(h uint32, c byte) uint32 { return ((h << hashShift) ^ uint32(c)) & hashMask }
	strstart, lookahead := 0, n
	if lookahead >= minMatch {
		insH = uint32(window[0])
		insH = updateHash(insH, window[1])
	}
	insert := func(str int) int {
		insH = updateHash(insH, window[str+minMatch-1])
		h := int(head[insH])
		prev[str&(wSize-1)] = head[insH]
		head[insH] = uint16(str)
		return h
	}

	matchLength, prevLength := minMatch-1, minMatch-1
	matchStart, prevMatch := 0, 0
	matchAvailable := false

	longestMatch := func(curMatch int) int {
		chainLength := maxChain
		scan := strstart
		bestLen := prevLength
		nice := niceMatch
		limit := 0
		if strstart > maxDist {
			limit = strstart - maxDist
		}
		scanEnd1 := window[scan+bestLen-1]
		scanEnd := window[scan+bestLen]
		if prevLength >= goodMatch {
			chainLength >>= 2
		}
		if nice > lookahead {
			nice = lookahead
		}
		for {
			match := curMatch
			if window[match+bestLen] == scanEnd && window[match+bestLen-1] == scanEnd1 &&
				window[match] == window[scan] && window[match+1] == window[scan+1] {
				// scan[2] and match[2] are equal (same hash); compare from 3.
				l := 3
				for l < maxMatch && window[scan+l] == window[match+l] {
					l++
				}
				if l > bestLen {
					matchStart = curMatch
					bestLen = l
					if l >= nice {
						break
					}
					scanEnd1 = window[scan+bestLen-1]
					scanEnd = window[scan+bestLen]
				}
			}
			curMatch = int(prev[curMatch&(wSize-1)])
			if curMatch <= limit {
				break
			}
			chainLength--
			if chainLength == 0 {
				break
			}
		}
		if bestLen <= lookahead {
			return bestLen
		}
		return lookahead
	}

	for lookahead > 0 {
		hashHead := 0
		if lookahead >= minMatch {
			hashHead = insert(strstart)
		}
		prevLength, prevMatch = matchLength, matchStart
		matchLength = minMatch - 1
		if hashHead != 0 && prevLength < maxLazyMatch && strstart-hashHead <= maxDist {
			matchLength = longestMatch(hashHead)
			if matchLength <= 5 && matchLength == minMatch && strstart-matchStart > tooFar {
				matchLength = minMatch - 1
			}
		}
		if prevLength >= minMatch && matchLength <= prevLength {
			maxInsert := strstart + lookahead - minMatch
			syms = append(syms, symbol{dist: uint16(strstart - 1 - prevMatch), lc: uint8(prevLength - minMatch)})
			lookahead -= prevLength - 1
			prevLength -= 2
			for {
				strstart++
				if strstart <= maxInsert {
					insert(strstart)
				}
				prevLength--
				if prevLength == 0 {
					break
				}
			}
			matchAvailable = false
			matchLength = minMatch - 1
			strstart++
		} else if matchAvailable {
			syms = append(syms, symbol{lc: window[strstart-1]})
			strstart++
			lookahead--
		} else {
			matchAvailable = true
			strstart++
			lookahead--
		}
	}
	if matchAvailable {
		syms = append(syms, symbol{lc: window[strstart-1]})
	}
	return syms
}
