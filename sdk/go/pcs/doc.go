// Package pcs is the pure core of the FLK PCS SDK for Go: PCS contract v0.1 and v0.2
// (shared/PCS-CONTRACT.md, with FLK's choices in docs/contract.md), ported from the TypeScript
// reference @flk/pcs (libs/pcs/src). Values in, values out: no I/O, no clock, no environment,
// standard library crypto only (SHA-256, HMAC-SHA256, crypto/ed25519 plus the extra strict RFC 8032
// checks of §2.6). The one non-Go dependency is C zlib (cgo) for r, whose output must be
// byte-identical to zlib's (Go's compress/flate is not).
//
// Names follow the contract and the TypeScript code: ParsePcsJSON = parsePcsJson, ValidatePcs =
// validatePcs, CanonicalPayload = canonicalPayload, ComputePcsID = computePcsId, Round9 = round9,
// BuildPcs = buildPcs, Decide = decide, ParseKeyRing = parseKeyRing, and so on.
//
// JSON values (what ReadJSON returns and ValidatePcs takes) are nil, bool, float64, string, []any
// and *Object (an object that keeps ECMAScript property order). Strings are Go strings; a lone
// UTF-16 surrogate written as a \u escape is kept as its 3-byte WTF-8 form (which is not valid
// UTF-8), so that validation can report it as malformed:encoding, as the TypeScript core does.
package pcs
