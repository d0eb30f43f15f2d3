package pcs

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// A strict JSON reader for records arriving as text, a port of json.ts (readJson). Why not
// encoding/json: Python's json.dumps writes NaN / Infinity / -Infinity tokens by default and the
// contract wants them reported as non-finite numbers (malformed:non_finite:<field>), so exactly
// those three extra tokens are accepted; duplicate member names are rejected
// (malformed:duplicate_key:<path>) because parsers disagree on which one wins; nesting is bounded;
// object member order is ECMAScript's (Object). Otherwise RFC 8259: no comments, no trailing
// commas, no BOM, whitespace = space, tab, LF, CR. Numbers are converted correctly rounded
// (strconv.ParseFloat, as JavaScript's Number()), so 1e999 becomes +Inf, never an error.

// JSONReadResult is the outcome of ReadJSON.
type JSONReadResult struct {
	OK    bool
	Value any
	// Detail is the reason detail when !OK: "json", "too_deep" or "duplicate_key:<path>".
	Detail string
	// NonFiniteToken is true when a NaN, Infinity or -Infinity token was read (JSON.parse would
	// have refused the text; an overflowing number such as 1e999 does not count).
	NonFiniteToken bool
}

type jsonFailure struct{ detail string }

type jsonReader struct {
	text     string
	pos      int
	maxDepth int
	path     []any
	nonFin   bool
	// standard: JSON.parse's dialect instead (no NaN/Infinity tokens, a repeated member name
	// keeps its first position and takes the last value).
	standard bool
}

// ReadJSON reads JSON text (UTF-8) in the dialect above. It never panics.
func ReadJSON(text string, maxDepth int) (res JSONReadResult) {
	return readJSON(&jsonReader{text: text, maxDepth: maxDepth})
}

// ParseJSONStandard is JSON.parse: RFC 8259 exactly (no NaN/Infinity tokens), a repeated member
// name allowed (the last value wins), nesting bounded only by maxDepth. ok false for bad syntax.
func ParseJSONStandard(text string, maxDepth int) (any, bool) {
	res := readJSON(&jsonReader{text: text, maxDepth: maxDepth, standard: true})
	return res.Value, res.OK
}

func readJSON(r *jsonReader) (res JSONReadResult) {
	defer func() {
		if p := recover(); p != nil {
			if f, ok := p.(jsonFailure); ok {
				res = JSONReadResult{Detail: f.detail}
				return
			}
			res = JSONReadResult{Detail: "json"}
		}
	}()
	v := r.readValue(0)
	r.skipWs()
	if r.pos != len(r.text) {
		r.fail("json")
	}
	return JSONReadResult{OK: true, Value: v, NonFiniteToken: r.nonFin}
}

func (r *jsonReader) fail(detail string) { panic(jsonFailure{detail}) }

func (r *jsonReader) at(i int) int {
	if i < len(r.text) {
		return int(r.text[i])
	}
	return -1
}

func (r *jsonReader) skipWs() {
	for r.pos < len(r.text) {
		switch r.text[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

func (r *jsonReader) startsWith(word string) bool {
	return len(r.text)-r.pos >= len(word) && r.text[r.pos:r.pos+len(word)] == word
}

func (r *jsonReader) literal(word string, v any) any {
	if r.startsWith(word) {
		r.pos += len(word)
		return v
	}
	r.fail("json")
	return nil
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// hex4 reads 4 hex digits at i, or -1.
func (r *jsonReader) hex4(i int) int {
	if i+4 > len(r.text) {
		return -1
	}
	n := 0
	for k := 0; k < 4; k++ {
		h := hexVal(r.text[i+k])
		if h < 0 {
			return -1
		}
		n = n<<4 | h
	}
	return n
}

func (r *jsonReader) readString() string {
	r.pos++ // opening quote
	var out []byte
	start := r.pos
	for {
		if r.pos >= len(r.text) {
			r.fail("json")
		}
		c := r.text[r.pos]
		if c == '"' {
			var s string
			if out == nil {
				s = r.text[start:r.pos]
			} else {
				out = append(out, r.text[start:r.pos]...)
				s = string(out)
			}
			r.pos++
			return s
		}
		if c < 0x20 {
			r.fail("json") // raw control characters must be escaped
		}
		if c != '\\' {
			r.pos++
			continue
		}
		if out == nil {
			out = make([]byte, 0, r.pos-start+16)
		}
		out = append(out, r.text[start:r.pos]...)
		e := r.at(r.pos + 1)
		r.pos += 2
		switch e {
		case '"':
			out = append(out, '"')
		case '\\':
			out = append(out, '\\')
		case '/':
			out = append(out, '/')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			u := r.hex4(r.pos)
			if u < 0 {
				r.fail("json")
			}
			r.pos += 4
			switch {
			case u >= 0xd800 && u <= 0xdbff:
				// A high surrogate pairs with an immediately following \u low surrogate, as the
				// two UTF-16 code units of a JavaScript string would.
				if r.at(r.pos) == '\\' && r.at(r.pos+1) == 'u' {
					if lo := r.hex4(r.pos + 2); lo >= 0xdc00 && lo <= 0xdfff {
						r.pos += 6
						out = utf8.AppendRune(out, rune(0x10000+(u-0xd800)<<10+(lo-0xdc00)))
						break
					}
				}
				out = appendSurrogate(out, uint16(u))
			case u >= 0xdc00 && u <= 0xdfff:
				out = appendSurrogate(out, uint16(u))
			default:
				out = utf8.AppendRune(out, rune(u))
			}
		default:
			r.fail("json")
		}
		start = r.pos
	}
}

func (r *jsonReader) readValue(depth int) any {
	r.skipWs()
	c := r.at(r.pos)
	switch c {
	case '{', '[':
		if depth >= r.maxDepth {
			r.fail("too_deep")
		}
		if c == '{' {
			return r.readObject(depth + 1)
		}
		return r.readArray(depth + 1)
	case '"':
		return r.readString()
	case 't':
		return r.literal("true", true)
	case 'f':
		return r.literal("false", false)
	case 'n':
		return r.literal("null", nil)
	case 'N':
		if r.standard {
			r.fail("json")
		}
		r.nonFin = true
		return r.literal("NaN", math.NaN())
	case 'I':
		if r.standard {
			r.fail("json")
		}
		r.nonFin = true
		return r.literal("Infinity", math.Inf(1))
	}
	if c == '-' && !r.standard && r.startsWith("-Infinity") {
		r.nonFin = true
		return r.literal("-Infinity", math.Inf(-1))
	}
	end := r.numberEnd(r.pos)
	if end < 0 {
		r.fail("json")
	}
	lexeme := r.text[r.pos:end]
	r.pos = end
	f, err := strconv.ParseFloat(lexeme, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			r.fail("json")
		}
	}
	return f
}

// numberEnd matches /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/ at i (sticky, greedy
// with all-or-nothing optional groups, as the regular expression of json.ts); -1 when no match.
func (r *jsonReader) numberEnd(i int) int {
	isDigit := func(k int) bool { c := r.at(k); return c >= '0' && c <= '9' }
	if r.at(i) == '-' {
		i++
	}
	switch {
	case r.at(i) == '0':
		i++
	case isDigit(i):
		for isDigit(i) {
			i++
		}
	default:
		return -1
	}
	if r.at(i) == '.' && isDigit(i+1) {
		i += 2
		for isDigit(i) {
			i++
		}
	}
	if c := r.at(i); c == 'e' || c == 'E' {
		j := i + 1
		if c2 := r.at(j); c2 == '+' || c2 == '-' {
			j++
		}
		if isDigit(j) {
			for isDigit(j) {
				j++
			}
			i = j
		}
	}
	return i
}

func (r *jsonReader) readObject(depth int) *Object {
	r.pos++
	obj := NewObject()
	r.skipWs()
	if r.at(r.pos) == '}' {
		r.pos++
		return obj
	}
	for {
		r.skipWs()
		if r.at(r.pos) != '"' {
			r.fail("json")
		}
		key := r.readString()
		r.skipWs()
		if r.at(r.pos) != ':' {
			r.fail("json")
		}
		r.pos++
		r.path = append(r.path, key)
		if !r.standard && obj.Has(key) {
			r.fail("duplicate_key:" + PathLabel(r.path))
		}
		obj.Set(key, r.readValue(depth))
		r.path = r.path[:len(r.path)-1]
		r.skipWs()
		c := r.at(r.pos)
		r.pos++
		if c == '}' {
			return obj
		}
		if c != ',' {
			r.fail("json")
		}
	}
}

func (r *jsonReader) readArray(depth int) []any {
	r.pos++
	arr := []any{}
	r.skipWs()
	if r.at(r.pos) == ']' {
		r.pos++
		return arr
	}
	for {
		r.path = append(r.path, len(arr))
		arr = append(arr, r.readValue(depth))
		r.path = r.path[:len(r.path)-1]
		r.skipWs()
		c := r.at(r.pos)
		r.pos++
		if c == ']' {
			return arr
		}
		if c != ',' {
			r.fail("json")
		}
	}
}
