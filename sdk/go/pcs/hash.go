package pcs

import (
	"crypto/sha256"
	"encoding/hex"
)

// Sha256Hex is the lowercase hex SHA-256 of the UTF-8 bytes of s.
func Sha256Hex(s string) string {
	d := sha256.Sum256([]byte(s))
	return hex.EncodeToString(d[:])
}

// Sha256UTF8 is the SHA-256 of the UTF-8 bytes of s (the signing digest of a payload, §2.4).
func Sha256UTF8(s string) []byte {
	d := sha256.Sum256([]byte(s))
	return d[:]
}
