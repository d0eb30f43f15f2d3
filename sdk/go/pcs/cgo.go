package pcs

/*
#cgo LDFLAGS: -lz -lm
#include <stdlib.h>
#include <math.h>
#include <zlib.h>

static int flk_compress6(const unsigned char *src, unsigned long srcLen, unsigned char *dst, unsigned long *dstLen) {
	return compress2(dst, dstLen, src, srcLen, 6);
}
*/
import "C"

import "unsafe"

// zlibCompressedLen is len(zlib.compress(raw, 6)): C zlib's compress2 at level 6 (zlib wrapper,
// default window and memLevel, default strategy), which is what Python's zlib and pako produce
// byte for byte. Go's compress/flate is a different deflate implementation, hence cgo.
func zlibCompress(raw []byte) []byte {
	bound := C.compressBound(C.uLong(len(raw)))
	dst := make([]byte, int(bound))
	dstLen := C.ulong(bound)
	var src *C.uchar
	if len(raw) > 0 {
		src = (*C.uchar)(unsafe.Pointer(&raw[0]))
	}
	rc := C.flk_compress6(src, C.ulong(len(raw)), (*C.uchar)(unsafe.Pointer(&dst[0])), &dstLen)
	if rc != C.Z_OK {
		panic("zlib compress2 failed")
	}
	return dst[:int(dstLen)]
}

// ZlibCompress is zlib.compress(raw, 6), byte-identical to C zlib (it is C zlib).
func ZlibCompress(raw []byte) []byte { return zlibCompress(raw) }

// log2 is the C library's log2 (what Python's math.log2 calls, and what test/vectors was made with).
func log2(x float64) float64 { return float64(C.log2(C.double(x))) }
