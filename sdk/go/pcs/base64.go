package pcs

import "encoding/base64"

// Base64Encode is standard, padded base64 (RFC 4648 §4).
func Base64Encode(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

var b64Decode = func() [256]int16 {
	var t [256]int16
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(b64Alphabet); i++ {
		t[b64Alphabet[i]] = int16(i)
	}
	return t
}()

// Base64Decode is the strict decoder of base64.ts: only the standard alphabet, length a multiple
// of 4, padding only at the end, unused trailing bits zero (the canonical encoding), no whitespace
// (encoding/base64 would skip \r and \n). ok is false for anything else.
func Base64Decode(text string) ([]byte, bool) {
	if len(text)%4 != 0 {
		return nil, false
	}
	pad := 0
	if len(text) >= 2 && text[len(text)-2:] == "==" {
		pad = 2
	} else if len(text) >= 1 && text[len(text)-1] == '=' {
		pad = 1
	}
	out := make([]byte, 0, len(text)/4*3)
	for i := 0; i < len(text); i += 4 {
		last := i+4 == len(text)
		var c [4]int
		for k := 0; k < 4; k++ {
			ch := text[i+k]
			if last && ch == '=' && k >= 4-pad {
				continue
			}
			v := b64Decode[ch]
			if v < 0 {
				return nil, false
			}
			c[k] = int(v)
		}
		n := c[0]<<18 | c[1]<<12 | c[2]<<6 | c[3]
		switch {
		case last && pad == 2:
			if n&0xffff != 0 {
				return nil, false
			}
			out = append(out, byte(n>>16))
		case last && pad == 1:
			if n&0xff != 0 {
				return nil, false
			}
			out = append(out, byte(n>>16), byte(n>>8))
		default:
			out = append(out, byte(n>>16), byte(n>>8), byte(n))
		}
	}
	return out, true
}
