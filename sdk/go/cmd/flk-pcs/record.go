package main

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/flk/pcs-go/pcs"
)

// Reading one record for the commands that need only some of its fields (record.ts).

// recordText: strict UTF-8, a BOM kept (so the core's JSON reader rejects it, as the verifier does).
func recordText(b []byte) (string, bool) {
	if !utf8.Valid(b) {
		return "", false
	}
	return string(b), true
}

// jsonParse is JSON.parse of a text the core's reader accepted (so: no duplicate member names).
func jsonParse(text string) (any, bool) {
	return pcs.ParseJSONStandard(text, 1<<20)
}

var reasonRe = regexp.MustCompile(`^malformed:([^:]*)(?::(.*))?$`)
var rootRe = regexp.MustCompile(`^[^.\[]*`)

// readRecordFields: the record's JSON object when the core finds nothing wrong with fields
// (reasons about other fields, and a pcs_id mismatch, are ignored); otherwise the relevant reasons.
func readRecordFields(b []byte, fields []string) (*pcs.Object, string, bool) {
	text, ok := recordText(b)
	if !ok {
		return nil, "malformed:utf8", false
	}
	parsed := pcs.ParsePcsJSON(text)
	if parsed.OK {
		return parsed.Pcs.ToValue(), "", true
	}
	var relevant []string
	for _, r := range parsed.Reasons {
		if concerns(r, fields) {
			relevant = append(relevant, r)
		}
	}
	if len(relevant) > 0 {
		return nil, strings.Join(relevant, ", "), false
	}
	v, ok := jsonParse(text)
	if !ok {
		// Only a NaN/Infinity token elsewhere in the record gets here; report what the core found.
		return nil, strings.Join(parsed.Reasons, ", "), false
	}
	o, _ := v.(*pcs.Object)
	return o, "", true
}

func concerns(reason string, fields []string) bool {
	m := reasonRe.FindStringSubmatch(reason)
	if m == nil {
		return true
	}
	kind, path, hasPath := m[1], m[2], strings.Count(reason, ":") >= 2
	if kind == "pcs_id_mismatch" {
		return false
	}
	if !hasPath || kind == "duplicate_key" {
		return true
	}
	root := rootRe.FindString(path)
	return contains(fields, root)
}
