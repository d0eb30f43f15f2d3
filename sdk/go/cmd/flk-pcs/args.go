package main

import (
	"regexp"
	"strconv"
	"strings"
)

// Argument parsing as Node's util.parseArgs does it in strict mode (the TypeScript CLI's parser),
// with its errors turned into the same one-line usage errors (args.ts parseErrorMessage).

type optSpec map[string]string // long name → "string" | "boolean"

type parsed struct {
	values      map[string]string // string options
	flags       map[string]bool   // boolean options that were given
	positionals []string
}

func (p *parsed) str(name string) (string, bool) {
	v, ok := p.values[name]
	return v, ok
}

// usageError is exit 2 with `flk: <message>; see '<help>'`.
type usageError struct{ message, help string }

func (e *usageError) Error() string { return e.message }

// configError is exit 2 with `flk: <message>`.
type configError struct{ message string }

func (e *configError) Error() string { return e.message }

// inputError is exit 1 with `flk: <input>: <message>` (pcs make).
type inputError struct{ input, message string }

func (e *inputError) Error() string { return e.message }

var quotedOption = regexp.MustCompile(`'(-[^']*)'`)

type argToken struct {
	name, rawName string
	value         *string
	inline        bool
}

// parseCommandArgs parses args against opts (plus --help/-h), as parseArgs({strict: true,
// allowPositionals: true}) would.
func parseCommandArgs(args []string, opts optSpec, help string) (*parsed, error) {
	spec := optSpec{"help": "boolean"}
	for k, v := range opts {
		spec[k] = v
	}
	shorts := map[string]string{"h": "help"}
	out := &parsed{values: map[string]string{}, flags: map[string]bool{}}
	rest := append([]string(nil), args...)
	var tokens []argToken
	for len(rest) > 0 {
		arg := rest[0]
		rest = rest[1:]
		if arg == "--" {
			out.positionals = append(out.positionals, rest...)
			break
		}
		if arg == "-" || !strings.HasPrefix(arg, "-") {
			out.positionals = append(out.positionals, arg)
			continue
		}
		if strings.HasPrefix(arg, "--") {
			if eq := strings.IndexByte(arg, '='); eq >= 0 {
				v := arg[eq+1:]
				tokens = append(tokens, argToken{name: arg[2:eq], rawName: arg[:eq], value: &v, inline: true})
				continue
			}
			name := arg[2:]
			tok := argToken{name: name, rawName: arg}
			if spec[name] == "string" && len(rest) > 0 {
				v := rest[0]
				rest = rest[1:]
				tok.value = &v
			}
			tokens = append(tokens, tok)
			continue
		}
		if len(arg) == 2 {
			c := arg[1:]
			name := c
			if long, ok := shorts[c]; ok {
				name = long
			}
			tok := argToken{name: name, rawName: arg}
			if _, known := shorts[c]; !known {
				tok.name = "\x00" + c // a short option that is not configured
			}
			if spec[name] == "string" && len(rest) > 0 {
				v := rest[0]
				rest = rest[1:]
				tok.value = &v
			}
			tokens = append(tokens, tok)
			continue
		}
		// A group of short options (-abc): each on its own (no short string options here).
		var expanded []string
		for _, r := range arg[1:] {
			expanded = append(expanded, "-"+string(r))
		}
		rest = append(expanded, rest...)
	}
	for _, tok := range tokens {
		typ, known := spec[tok.name]
		if !known || strings.HasPrefix(tok.name, "\x00") {
			return nil, &usageError{parseErrorMessage("ERR_PARSE_ARGS_UNKNOWN_OPTION", "Unknown option '"+tok.rawName+"'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \""+tok.rawName+"\""), help}
		}
		shortAndLong := "--" + tok.name
		if tok.name == "help" {
			shortAndLong = "-h, --help"
		}
		if typ == "string" && tok.value == nil {
			return nil, &usageError{parseErrorMessage("ERR_PARSE_ARGS_INVALID_OPTION_VALUE", "Option '"+shortAndLong+" <value>' argument missing"), help}
		}
		if typ == "boolean" && tok.value != nil {
			return nil, &usageError{parseErrorMessage("ERR_PARSE_ARGS_INVALID_OPTION_VALUE", "Option '"+shortAndLong+"' does not take an argument"), help}
		}
		if typ == "string" && !tok.inline && len(*tok.value) > 1 && (*tok.value)[0] == '-' {
			return nil, &usageError{parseErrorMessage("ERR_PARSE_ARGS_INVALID_OPTION_VALUE", "Option '"+tok.rawName+"' argument is ambiguous.\nDid you forget to specify the option argument for '"+tok.rawName+"'?\nTo specify an option argument starting with a dash use '"+tok.rawName+"=-XYZ'."), help}
		}
		if typ == "string" {
			out.values[tok.name] = *tok.value
		} else {
			out.flags[tok.name] = true
		}
	}
	return out, nil
}

func parseErrorMessage(code, message string) string {
	m := quotedOption.FindStringSubmatch(message)
	option := ""
	if m != nil {
		option = m[1]
	}
	if code == "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option != "" {
		return "unknown option '" + option + "'"
	}
	if code == "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option != "" {
		if strings.Contains(message, "ambiguous") {
			return "option '" + option + "' needs a value (for a value starting with '-', write " + option + "=VALUE)"
		}
		if strings.Contains(message, "does not take") {
			return "option '" + option + "' takes no value"
		}
		return "option '" + option + "' needs a value"
	}
	return oneLine(message)
}

var newlines = regexp.MustCompile(`\s*[\r\n]+\s*`)

// oneLine: error messages never spill over several lines.
func oneLine(text string) string {
	return jsTrim(newlines.ReplaceAllString(text, " "))
}

// jsTrim is String.prototype.trim (ECMAScript WhiteSpace and LineTerminator).
func jsTrim(s string) string {
	return strings.TrimFunc(s, isJSSpace)
}

func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

var integerRe = regexp.MustCompile(`^[+-]?[0-9]+$`)

// integerFlag: a decimal integer within ±(2^53 − 1) (args.ts integerFlag).
func integerFlag(p *parsed, name, help string) (*int64, error) {
	raw, ok := p.str(name)
	if !ok {
		return nil, nil
	}
	t := jsTrim(raw)
	if integerRe.MatchString(t) {
		if n, err := strconv.ParseInt(t, 10, 64); err == nil && n <= 1<<53-1 && n >= -(1<<53-1) {
			return &n, nil
		}
	}
	return nil, &usageError{"--" + name + ": expected an integer, got '" + raw + "'", help}
}

// numberFlag: a finite number ≥ 0 (args.ts numberFlag, with JavaScript's Number(string)).
func numberFlag(p *parsed, name, help string) (*float64, error) {
	raw, ok := p.str(name)
	if !ok {
		return nil, nil
	}
	n := jsNumber(raw)
	if jsTrim(raw) == "" || n != n || n > 1.7976931348623157e308 || n < 0 {
		return nil, &usageError{"--" + name + ": expected a number >= 0, got '" + raw + "'", help}
	}
	return &n, nil
}

func requireFlag[T any](v *T, name, help string) (T, error) {
	if v == nil {
		var zero T
		return zero, &usageError{"missing required option --" + name, help}
	}
	return *v, nil
}

func strPtr(p *parsed, name string) *string {
	if v, ok := p.str(name); ok {
		return &v
	}
	return nil
}
