package pcs

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FormatNumber is ECMAScript Number::toString(x) (what JSON.stringify prints for a finite number):
// the shortest round-tripping digits, plain decimal for exponents in [-6, 21), else d.ddde±n;
// -0 prints as "0". strconv's 'g' format is not this (it writes 5e-07 and 1e+21 differently, and
// switches to exponents at other bounds). Non-finite values print as JSON.stringify does: "null".
func FormatNumber(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "null"
	}
	return string(AppendNumber(nil, x))
}

// AppendNumber appends FormatNumber(x) to b.
func AppendNumber(b []byte, x float64) []byte {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return append(b, "null"...)
	}
	if x == 0 {
		return append(b, '0')
	}
	if x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
		// Integers up to 2^53: every digit is needed to round-trip, so the shortest form is the integer.
		return strconv.AppendInt(b, int64(x), 10)
	}
	if x < 0 {
		b = append(b, '-')
		x = -x
	}
	// Shortest digits and exponent: d.ddddde±XX from strconv (shortest round trip, closest).
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], x, 'e', -1, 64)
	mant, exp, _ := strings.Cut(string(e), "e")
	digits := strings.Replace(mant, ".", "", 1)
	k := len(digits)
	ex, _ := strconv.Atoi(exp)
	n := ex + 1 // position of the decimal point relative to the digits
	switch {
	case k <= n && n <= 21:
		b = append(b, digits...)
		for i := 0; i < n-k; i++ {
			b = append(b, '0')
		}
	case 0 < n && n <= 21:
		b = append(b, digits[:n]...)
		b = append(b, '.')
		b = append(b, digits[n:]...)
	case -6 < n && n <= 0:
		b = append(b, "0."...)
		for i := 0; i < -n; i++ {
			b = append(b, '0')
		}
		b = append(b, digits...)
	default:
		b = append(b, digits[0])
		if k > 1 {
			b = append(b, '.')
			b = append(b, digits[1:]...)
		}
		b = append(b, 'e')
		if n-1 >= 0 {
			b = append(b, '+')
		}
		b = strconv.AppendInt(b, int64(n-1), 10)
	}
	return b
}

const hexDigits = "0123456789abcdef"

// QuoteString is JSON.stringify of a string: `"` and `\` escaped, \b \f \n \r \t, other C0 controls
// as lowercase \u00xx, lone surrogates as lowercase \udxxx, everything else (non-ASCII, U+2028,
// U+2029, DEL) verbatim.
func QuoteString(s string) string { return string(AppendQuoted(nil, s)) }

// AppendQuoted appends QuoteString(s) to b.
func AppendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				if u, ok := surrogateAt(s, i); ok {
					b = append(b, '\\', 'u', hexDigits[u>>12], hexDigits[u>>8&15], hexDigits[u>>4&15], hexDigits[u&15])
					i += 3
					continue
				}
				b = append(b, "\ufffd"...)
				i++
				continue
			}
			b = append(b, s[i:i+size]...)
			i += size
			continue
		}
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c < 0x20 {
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			} else {
				b = append(b, c)
			}
		}
		i++
	}
	return append(b, '"')
}

// Stringify is JSON.stringify of a JSON value (nil, bool, float64, string, []any, *Object), compact,
// members in the Object's order. Values of other types print as null.
func Stringify(v any) string { return string(AppendJSON(nil, v)) }

// AppendJSON appends Stringify(v) to b.
func AppendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		if x {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case float64:
		return AppendNumber(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case string:
		return AppendQuoted(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSON(b, e)
		}
		return append(b, ']')
	case *Object:
		b = append(b, '{')
		for i, k := range x.Keys() {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendQuoted(b, k)
			b = append(b, ':')
			b = AppendJSON(b, x.vals[k])
		}
		return append(b, '}')
	}
	return append(b, "null"...)
}
