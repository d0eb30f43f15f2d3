package pcs

import (
	"unicode/utf8"
)

// Strings are Go strings holding UTF-8, except that a lone UTF-16 surrogate (only a \u escape in
// JSON text can make one) is held in its 3-byte generalized form ("WTF-8": ED A0..BF 80..BF). Such
// a string is not valid UTF-8, which is exactly the contract's "not well-formed" (no UTF-8 encoding).

// codeUnits calls f with each UTF-16 code unit of s, in order; it stops when f returns false.
func codeUnits(s string, f func(u uint16) bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			if u, ok := surrogateAt(s, i); ok {
				if !f(u) {
					return
				}
				i += 3
				continue
			}
			// Not UTF-8 at all (only possible for values built by a caller): one unit, U+FFFD.
			if !f(0xfffd) {
				return
			}
			i++
			continue
		}
		if r >= 0x10000 {
			r -= 0x10000
			if !f(uint16(0xd800+(r>>10))) || !f(uint16(0xdc00+(r&0x3ff))) {
				return
			}
		} else if !f(uint16(r)) {
			return
		}
		i += size
	}
}

// surrogateAt decodes the generalized UTF-8 form of a lone surrogate at s[i:].
func surrogateAt(s string, i int) (uint16, bool) {
	if i+2 < len(s) && s[i] == 0xed && s[i+1] >= 0xa0 && s[i+1] <= 0xbf && s[i+2] >= 0x80 && s[i+2] <= 0xbf {
		return 0xd000 | uint16(s[i+1]&0x3f)<<6 | uint16(s[i+2]&0x3f), true
	}
	return 0, false
}

// appendSurrogate appends the generalized UTF-8 form of a lone surrogate.
func appendSurrogate(b []byte, u uint16) []byte {
	return append(b, 0xed, byte(0x80|(u>>6)&0x3f), byte(0x80|u&0x3f))
}

// UTF16Len is the length of s in UTF-16 code units (JavaScript's String length).
func UTF16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			if _, ok := surrogateAt(s, i); ok {
				i += 3
			} else {
				i++
			}
			n++
			continue
		}
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		i += size
	}
	return n
}

// IsWellFormed reports whether s has no lone surrogate (and is UTF-8): it has a UTF-8 encoding.
func IsWellFormed(s string) bool { return utf8.ValidString(s) }

// compareUTF16 orders strings by their UTF-16 code units (JavaScript's default sort, RFC 8785 §3.2.3).
func compareUTF16(a, b string) int {
	if isASCII(a) && isASCII(b) {
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	ua, ub := toUnits(a), toUnits(b)
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			if ua[i] < ub[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(ua) < len(ub):
		return -1
	case len(ua) > len(ub):
		return 1
	}
	return 0
}

func toUnits(s string) []uint16 {
	out := make([]uint16, 0, len(s))
	codeUnits(s, func(u uint16) bool { out = append(out, u); return true })
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// SafeKey is a member name as reasons show it (json.ts safeKey): cut to 64 UTF-16 code units,
// every unit that is not [A-Za-z0-9_-] replaced by '?', and '?' for the empty name.
func SafeKey(key string) string {
	out := make([]byte, 0, 64)
	n := 0
	codeUnits(key, func(u uint16) bool {
		if n == 64 {
			return false
		}
		n++
		if u < 0x80 && isSafeChar(byte(u)) {
			out = append(out, byte(u))
		} else {
			out = append(out, '?')
		}
		return true
	})
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

func isSafeChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// PathLabel renders a field path for reasons: ft.degraded, scales[1], N_j.8 (json.ts pathLabel).
// Segments are string (member names, shown through SafeKey) or int (array indices).
func PathLabel(segments []any) string {
	out := ""
	for _, seg := range segments {
		switch s := seg.(type) {
		case int:
			out += "[" + itoa(int64(s)) + "]"
		case string:
			if out != "" {
				out += "."
			}
			out += SafeKey(s)
		}
	}
	return out
}
