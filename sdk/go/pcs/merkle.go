package pcs

import (
	"crypto/sha256"
	"encoding/hex"
)

// MerkleRoot is the RFC 6962 §2.1 Merkle tree hash of the chunks, in order, as lowercase hex
// (leaf = SHA-256(0x00 ‖ chunk), node = SHA-256(0x01 ‖ left ‖ right), split at the largest power
// of two below n). No chunks: SHA-256 of the empty string.
func MerkleRoot(chunks [][]byte) string {
	if len(chunks) == 0 {
		d := sha256.Sum256(nil)
		return hex.EncodeToString(d[:])
	}
	return hex.EncodeToString(mth(chunks))
}

func mth(chunks [][]byte) []byte {
	n := len(chunks)
	h := sha256.New()
	if n == 1 {
		h.Write([]byte{0})
		h.Write(chunks[0])
		return h.Sum(nil)
	}
	k := 1
	for k*2 < n {
		k *= 2
	}
	l, r := mth(chunks[:k]), mth(chunks[k:])
	h.Write([]byte{1})
	h.Write(l)
	h.Write(r)
	return h.Sum(nil)
}
