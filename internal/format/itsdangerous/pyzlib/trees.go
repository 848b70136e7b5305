package pyzlib

// A port of zlib's trees.c for one final block.

const (
	lengthCodes = 29
	literals    = 256
	lCodes      = literals + 1 + lengthCodes // 286
	dCodes      = 30
	blCodes     = 19
	heapSize    = 2*lCodes + 1
	maxBits     = 15
	maxBLBits   = 7
	endBlock    = 256
	rep3to6     = 16
	repz3to10   = 17
	repz11to138 = 18
)

var (
	extraLBits  = [lengthCodes]int{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	extraDBits  = [dCodes]int{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	extraBLBits = [blCodes]int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7}
	blOrder     = [blCodes]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// ctData is zlib's ct_data: freq/code and dad/len are unions there, kept
// apart here (zlib never reads one after writing the other).
type ctData struct {
	freq, code uint32
	dad, len   int
}

var (
	staticLTree [lCodes + 2]ctData
	staticDTree [dCodes]ctData
	lengthCode  [256]int // match length - minMatch -> length code
	baseLength  [lengthCodes]int
	distCode    [512]int
	baseDist    [dCodes]int
)

func init() {
	length := 0
	for code := 0; code < lengthCodes-1; code++ {
		baseLength[code] = length
		for n := 0; n < 1<<extraLBits[code]; n++ {
			lengthCode[length] = code
			length++
		}
	}
	lengthCode[length-1] = lengthCodes - 1
	dist := 0
	code := 0
	for ; code < 16; code++ {
		baseDist[code] = dist
		for n := 0; n < 1<<extraDBits[code]; n++ {
			distCode[dist] = code
			dist++
		}
	}
	dist >>= 7
	for ; code < dCodes; code++ {
		baseDist[code] = dist << 7
		for n := 0; n < 1<<(extraDBits[code]-7); n++ {
			distCode[256+dist] = code
			dist++
		}
	}
	var blCount [maxBits + 1]int
	n := 0
	for ; n <= 143; n++ {
		staticLTree[n].len = 8
		blCount[8]++
	}
	for ; n <= 255; n++ {
		staticLTree[n].len = 9
		blCount[9]++
	}
	for ; n <= 279; n++ {
		staticLTree[n].len = 7
		blCount[7]++
	}
	for ; n <= 287; n++ {
		staticLTree[n].len = 8
		blCount[8]++
	}
	genCodes(staticLTree[:], lCodes+1, blCount[:])
	for n := 0; n < dCodes; n++ {
		staticDTree[n].len = 5
		staticDTree[n].code = biReverse(uint32(n), 5)
	}
}

func dCode(dist int) int {
	if dist < 256 {
		return distCode[dist]
	}
	return distCode[256+(dist>>7)]
}

func biReverse(code uint32, n int) uint32 {
	var res uint32
	for {
		res |= code & 1
		code >>= 1
		res <<= 1
		n--
		if n <= 0 {
			break
		}
	}
	return res >> 1
}

func genCodes(tree []ctData, maxCode int, blCount []int) {
	var nextCode [maxBits + 1]uint32
	var code uint32
	for bits := 1; bits <= maxBits; bits++ {
		code = (code + uint32(blCount[bits-1])) << 1
		nextCode[bits] = code
	}
	for n := 0; n <= maxCode; n++ {
		l := tree[n].len
		if l == 0 {
			continue
		}
		tree[n].code = biReverse(nextCode[l], l)
		nextCode[l]++
	}
}

type treeDesc struct {
	tree      []ctData
	maxCode   int
	stree     []ctData // nil for the bit length tree
	extra     []int
	extraBase int
	elems     int
	maxLength int
}

type trees struct {
	heap     [heapSize]int
	heapLen  int
	heapMax  int
	depth    [heapSize]uint8
	blCount  [maxBits + 1]int
	optLen   int
	staticLn int
	dynL     [heapSize]ctData
	dynD     [2*dCodes + 1]ctData
	bl       [2*blCodes + 1]ctData
}

func smaller(tree []ctData, n, m int, depth *[heapSize]uint8) bool {
	return tree[n].freq < tree[m].freq || (tree[n].freq == tree[m].freq && depth[n] <= depth[m])
}

func (s *trees) pqdownheap(tree []ctData, k int) {
	v := s.heap[k]
	j := k << 1
	for j <= s.heapLen {
		if j < s.heapLen && smaller(tree, s.heap[j+1], s.heap[j], &s.depth) {
			j++
		}
		if smaller(tree, v, s.heap[j], &s.depth) {
			break
		}
		s.heap[k] = s.heap[j]
		k = j
		j <<= 1
	}
	s.heap[k] = v
}

func (s *trees) genBitlen(d *treeDesc) {
	tree := d.tree
	for bits := range s.blCount {
		s.blCount[bits] = 0
	}
	overflow := 0
	tree[s.heap[s.heapMax]].len = 0
	h := s.heapMax + 1
	for ; h < heapSize; h++ {
		n := s.heap[h]
		bits := tree[tree[n].dad].len + 1
		if bits > d.maxLength {
			bits = d.maxLength
			overflow++
		}
		tree[n].len = bits
		if n > d.maxCode {
			continue
		}
		s.blCount[bits]++
		xbits := 0
		if n >= d.extraBase {
			xbits = d.extra[n-d.extraBase]
		}
		f := int(tree[n].freq)
		s.optLen += f * (bits + xbits)
		if d.stree != nil {
			s.staticLn += f * (d.stree[n].len + xbits)
		}
	}
	if overflow == 0 {
		return
	}
	for overflow > 0 {
		bits := d.maxLength - 1
		for s.blCount[bits] == 0 {
			bits--
		}
		s.blCount[bits]--
		s.blCount[bits+1] += 2
		s.blCount[d.maxLength]--
		overflow -= 2
	}
	for bits := d.maxLength; bits != 0; bits-- {
		n := s.blCount[bits]
		for n != 0 {
			h--
			m := s.heap[h]
			if m > d.maxCode {
				continue
			}
			if tree[m].len != bits {
				s.optLen += (bits - tree[m].len) * int(tree[m].freq)
				tree[m].len = bits
			}
			n--
		}
	}
}

func (s *trees) buildTree(d *treeDesc) {
	tree := d.tree
	maxCode := -1
	s.heapLen, s.heapMax = 0, heapSize
	for n := 0; n < d.elems; n++ {
		if tree[n].freq != 0 {
			s.heapLen++
			s.heap[s.heapLen] = n
			maxCode = n
			s.depth[n] = 0
		} else {
			tree[n].len = 0
		}
	}
	for s.heapLen < 2 {
		node := 0
		if maxCode < 2 {
			maxCode++
			node = maxCode
		}
		s.heapLen++
		s.heap[s.heapLen] = node
		tree[node].freq = 1
		s.depth[node] = 0
		s.optLen--
		if d.stree != nil {
			s.staticLn -= d.stree[node].len
		}
	}
	d.maxCode = maxCode
	for n := s.heapLen / 2; n >= 1; n-- {
		s.pqdownheap(tree, n)
	}
	node := d.elems
	for {
		n := s.heap[1] // pqremove
		s.heap[1] = s.heap[s.heapLen]
		s.heapLen--
		s.pqdownheap(tree, 1)
		m := s.heap[1]
		s.heapMax--
		s.heap[s.heapMax] = n
		s.heapMax--
		s.heap[s.heapMax] = m
		tree[node].freq = tree[n].freq + tree[m].freq
		dn, dm := s.depth[n], s.depth[m]
		if dn >= dm {
			s.depth[node] = dn + 1
		} else {
			s.depth[node] = dm + 1
		}
		tree[n].dad, tree[m].dad = node, node
		s.heap[1] = node
		node++
		s.pqdownheap(tree, 1)
		if s.heapLen < 2 {
			break
		}
	}
	s.heapMax--
	s.heap[s.heapMax] = s.heap[1]
	s.genBitlen(d)
	genCodes(tree, maxCode, s.blCount[:])
}

func (s *trees) scanTree(tree []ctData, maxCode int) {
	prevlen, nextlen := -1, tree[0].len
	count, maxCount, minCount := 0, 7, 4
	if nextlen == 0 {
		maxCount, minCount = 138, 3
	}
	tree[maxCode+1].len = 0xffff // guard
	for n := 0; n <= maxCode; n++ {
		curlen := nextlen
		nextlen = tree[n+1].len
		count++
		if count < maxCount && curlen == nextlen {
			continue
		} else if count < minCount {
			s.bl[curlen].freq += uint32(count)
		} else if curlen != 0 {
			if curlen != prevlen {
				s.bl[curlen].freq++
			}
			s.bl[rep3to6].freq++
		} else if count <= 10 {
			s.bl[repz3to10].freq++
		} else {
			s.bl[repz11to138].freq++
		}
		count, prevlen = 0, curlen
		if nextlen == 0 {
			maxCount, minCount = 138, 3
		} else if curlen == nextlen {
			maxCount, minCount = 6, 3
		} else {
			maxCount, minCount = 7, 4
		}
	}
}

func (s *trees) sendTree(w *bitWriter, tree []ctData, maxCode int) {
	prevlen, nextlen := -1, tree[0].len
	count, maxCount, minCount := 0, 7, 4
	if nextlen == 0 {
		maxCount, minCount = 138, 3
	}
	for n := 0; n <= maxCode; n++ {
		curlen := nextlen
		nextlen = tree[n+1].len
		count++
		if count < maxCount && curlen == nextlen {
			continue
		} else if count < minCount {
			for ; count != 0; count-- {
				w.code(s.bl[:], curlen)
			}
		} else if curlen != 0 {
			if curlen != prevlen {
				w.code(s.bl[:], curlen)
				count--
			}
			w.code(s.bl[:], rep3to6)
			w.bits(uint32(count-3), 2)
		} else if count <= 10 {
			w.code(s.bl[:], repz3to10)
			w.bits(uint32(count-3), 3)
		} else {
			w.code(s.bl[:], repz11to138)
			w.bits(uint32(count-11), 7)
		}
		count, prevlen = 0, curlen
		if nextlen == 0 {
			maxCount, minCount = 138, 3
		} else if curlen == nextlen {
			maxCount, minCount = 6, 3
		} else {
			maxCount, minCount = 7, 4
		}
	}
}

// flushBlock is _tr_flush_block(s, buf, stored_len, last=1) at level 6.
func flushBlock(w *bitWriter, syms []symbol, data []byte) {
	s := &trees{}
	s.dynL[endBlock].freq = 1
	for _, sy := range syms {
		if sy.dist == 0 {
			s.dynL[sy.lc].freq++
		} else {
			s.dynL[lengthCode[sy.lc]+literals+1].freq++
			s.dynD[dCode(int(sy.dist)-1)].freq++
		}
	}
	ld := treeDesc{tree: s.dynL[:], stree: staticLTree[:], extra: extraLBits[:], extraBase: literals + 1, elems: lCodes, maxLength: maxBits}
	dd := treeDesc{tree: s.dynD[:], stree: staticDTree[:], extra: extraDBits[:], extraBase: 0, elems: dCodes, maxLength: maxBits}
	s.buildTree(&ld)
	s.buildTree(&dd)
	// build_bl_tree
	s.scanTree(s.dynL[:], ld.maxCode)
	s.scanTree(s.dynD[:], dd.maxCode)
	bd := treeDesc{tree: s.bl[:], extra: extraBLBits[:], extraBase: 0, elems: blCodes, maxLength: maxBLBits}
	s.buildTree(&bd)
	maxBLIndex := blCodes - 1
	for ; maxBLIndex >= 3; maxBLIndex-- {
		if s.bl[blOrder[maxBLIndex]].len != 0 {
			break
		}
	}
	s.optLen += 3*(maxBLIndex+1) + 5 + 5 + 4

	optLenB := (s.optLen + 3 + 7) >> 3
	staticLenB := (s.staticLn + 3 + 7) >> 3
	if staticLenB <= optLenB {
		optLenB = staticLenB
	}
	const last = 1
	switch {
	case len(data)+4 <= optLenB:
		w.bits(0<<1+last, 3) // STORED_BLOCK
		w.windup()
		w.out = append(w.out, byte(len(data)), byte(len(data)>>8), ^byte(len(data)), ^byte(len(data)>>8))
		w.out = append(w.out, data...)
	case staticLenB == optLenB:
		w.bits(1<<1+last, 3) // STATIC_TREES
		compressBlock(w, syms, staticLTree[:], staticDTree[:])
	default:
		w.bits(2<<1+last, 3) // DYN_TREES
		lcodes, dcodes, blcodes := ld.maxCode+1, dd.maxCode+1, maxBLIndex+1
		w.bits(uint32(lcodes-257), 5)
		w.bits(uint32(dcodes-1), 5)
		w.bits(uint32(blcodes-4), 4)
		for rank := 0; rank < blcodes; rank++ {
			w.bits(uint32(s.bl[blOrder[rank]].len), 3)
		}
		s.sendTree(w, s.dynL[:], lcodes-1)
		s.sendTree(w, s.dynD[:], dcodes-1)
		compressBlock(w, syms, s.dynL[:], s.dynD[:])
	}
}

func compressBlock(w *bitWriter, syms []symbol, ltree, dtree []ctData) {
	for _, sy := range syms {
		if sy.dist == 0 {
			w.code(ltree, int(sy.lc))
			continue
		}
		lc := int(sy.lc)
		code := lengthCode[lc]
		w.code(ltree, code+literals+1)
		if extra := extraLBits[code]; extra != 0 {
			w.bits(uint32(lc-baseLength[code]), extra)
		}
		dist := int(sy.dist) - 1
		code = dCode(dist)
		w.code(dtree, code)
		if extra := extraDBits[code]; extra != 0 {
			w.bits(uint32(dist-baseDist[code]), extra)
		}
	}
	w.code(ltree, endBlock)
}

// bitWriter writes bits LSB first, as zlib's send_bits.
type bitWriter struct {
	out  []byte
	buf  uint64
	nbit uint
}

func (w *bitWriter) bits(v uint32, n int) {
	w.buf |= uint64(v) << w.nbit
	w.nbit += uint(n)
	for w.nbit >= 8 {
		w.out = append(w.out, byte(w.buf))
		w.buf >>= 8
		w.nbit -= 8
	}
}

func (w *bitWriter) code(tree []ctData, c int) { w.bits(tree[c].code, tree[c].len) }

// windup flushes the last bits, padded with zeros to a byte.
func (w *bitWriter) windup() {
	if w.nbit > 0 {
		w.out = append(w.out, byte(w.buf))
	}
	w.buf, w.nbit = 0, 0
}
