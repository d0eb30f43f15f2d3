package pcs

import (
	"crypto/sha256"
	"math"
	"sort"
	"strconv"
)

// §2 and §7.2: the canonical signing payloads (v0.1: eight fields; v0.2: the whole record), their
// digest, and the pcs_id (§1), a port of canonical.ts. The record's version member chooses the payload.

// SignedKeys are the eight v0.1 signed members in RFC 8785 order (UTF-16 code unit order).
var SignedKeys = []string{"D_hat", "budget", "coh_star", "epoch", "merkle_root", "pcs_id", "r", "shard_id"}

var numberKeys = map[string]bool{"D_hat": true, "budget": true, "coh_star": true, "epoch": true, "r": true}

// CanonicalPayload is the signing payload of a record: v0.2 (§7.2) when its version is "0.2",
// else v0.1 (§2). rec is a *Pcs or a JSON value (*Object), e.g. a partial record holding only the
// eight signed fields. Errors are FlkPcsError (PCS_INVALID_ARGUMENT) for what has no canonical form.
func CanonicalPayload(rec any) (string, error) {
	o, err := asObject(rec)
	if err != nil {
		return "", err
	}
	if v, _ := o.Get("version"); v == PcsVersionV02 {
		return CanonicalPayloadV02(o)
	}
	return CanonicalPayloadV01(o)
}

func asObject(rec any) (*Object, error) {
	switch r := rec.(type) {
	case *Pcs:
		return r.ToValue(), nil
	case *Object:
		return r, nil
	}
	return nil, invalidArgument("canonicalPayload: record must be an object")
}

// CanonicalPayloadV01 is RFC 8785 JSON of exactly the eight signed fields (§2.1–2.3): numbers
// rounded per §2.2 and printed in ECMAScript form, strings escaped as JSON.stringify does.
func CanonicalPayloadV01(rec any) (string, error) {
	o, err := asObject(rec)
	if err != nil {
		return "", err
	}
	out := []byte{'{'}
	for i, key := range SignedKeys {
		value, _ := o.Get(key)
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, '"')
		out = append(out, key...)
		out = append(out, '"', ':')
		if numberKeys[key] {
			x, ok := value.(float64)
			if !ok || math.IsNaN(x) || math.IsInf(x, 0) {
				return "", invalidArgument("canonicalPayload: %s must be a finite number", key)
			}
			out = AppendNumber(out, Round9(x))
		} else {
			s, ok := value.(string)
			if !ok {
				return "", invalidArgument("canonicalPayload: %s must be a string", key)
			}
			if !IsWellFormed(s) {
				return "", invalidArgument("canonicalPayload: %s contains a lone surrogate", key)
			}
			out = AppendQuoted(out, s)
		}
	}
	return string(append(out, '}')), nil
}

const maxCanonicalDepth = 32

// CanonicalPayloadV02 is §7.2: RFC 8785 JSON of every member except sig, null members left out at
// any depth, every number rounded per §2.2 (integers unchanged, −0 → 0), keys sorted by UTF-16 code
// units at every level, arrays in order. Meant for a record that passed v0.2 structure.
func CanonicalPayloadV02(rec any) (string, error) {
	o, err := asObject(rec)
	if err != nil {
		return "", err
	}
	b, err := canonicalObject(nil, o, "sig", true, 0)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func canonicalObject(b []byte, o *Object, skip string, hasSkip bool, depth int) ([]byte, error) {
	keys := append([]string(nil), o.Keys()...)
	sort.SliceStable(keys, func(i, j int) bool { return compareUTF16(keys[i], keys[j]) < 0 })
	b = append(b, '{')
	first := true
	for _, key := range keys {
		if hasSkip && key == skip {
			continue
		}
		value, _ := o.Get(key)
		if value == nil {
			continue
		}
		if !IsWellFormed(key) {
			return nil, invalidArgument("canonicalPayload: lone surrogate in a member name")
		}
		if !first {
			b = append(b, ',')
		}
		b = AppendQuoted(b, key)
		b = append(b, ':')
		var err error
		if b, err = canonicalValue(b, value, depth+1); err != nil {
			return nil, err
		}
		first = false
	}
	return append(b, '}'), nil
}

func canonicalValue(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxCanonicalDepth {
		return nil, invalidArgument("canonicalPayload: nested too deep")
	}
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, invalidArgument("canonicalPayload: non-finite number")
		}
		return AppendNumber(b, Round9(x)), nil
	case string:
		if !IsWellFormed(x) {
			return nil, invalidArgument("canonicalPayload: lone surrogate in a string")
		}
		return AppendQuoted(b, x), nil
	case bool:
		if x {
			return append(b, "true"...), nil
		}
		return append(b, "false"...), nil
	case nil:
		return nil, invalidArgument("canonicalPayload: null array element")
	case *Object:
		return canonicalObject(b, x, "", false, depth)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = canonicalValue(b, e, depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	return nil, invalidArgument("canonicalPayload: a %T has no JSON form", v)
}

// SigningDigest is SHA-256 of the UTF-8 bytes of the canonical payload (§2.4, §7.2): what is signed.
func SigningDigest(rec any) ([]byte, error) {
	p, err := CanonicalPayload(rec)
	if err != nil {
		return nil, err
	}
	d := sha256.Sum256([]byte(p))
	return d[:], nil
}

// ComputePcsID is §1: lowercase hex SHA-256 of merkle_root|epoch|shard_id, epoch in plain decimal.
func ComputePcsID(merkleRoot string, epoch int64, shardID string) (string, error) {
	if !IsWellFormed(merkleRoot) || !IsWellFormed(shardID) {
		return "", invalidArgument("computePcsId: lone surrogate in merkle_root or shard_id")
	}
	if epoch > MaxSafeInteger || epoch < -MaxSafeInteger {
		return "", invalidArgument("computePcsId: epoch must be an integer within ±(2^53 − 1)")
	}
	return Sha256Hex(merkleRoot + "|" + strconv.FormatInt(epoch, 10) + "|" + shardID), nil
}
