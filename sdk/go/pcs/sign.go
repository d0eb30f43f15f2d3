package pcs

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"math/big"
	"strconv"
)

// §2.5–2.6: signers (agent side) and key rings (verifier side) for HMAC-SHA256 and Ed25519, a port
// of sign.ts. Both sign the 32-byte digest of the canonical payload, never the payload itself.

// Signature algorithms (PCS_SIGN_ALG).
const (
	AlgNone    = "none"
	AlgHmac    = "hmac"
	AlgEd25519 = "ed25519"
)

// SignAlgs are the accepted PCS_SIGN_ALG values.
var SignAlgs = []string{AlgNone, AlgHmac, AlgEd25519}

// SignatureBytes are the decoded signature lengths.
var SignatureBytes = map[string]int{AlgHmac: 32, AlgEd25519: 64}

// Signer signs 32-byte digests.
type Signer interface {
	// Alg is "hmac" or "ed25519".
	Alg() string
	// Sign returns the base64 (standard, padded) signature of a 32-byte digest.
	Sign(digest []byte) (string, error)
}

// KeyRing is the v0.1 verifier's key ring: every key listed is accepted (rotation, §2.6).
type KeyRing interface {
	Alg() string
	// Verify reports whether any key accepts sig for digest. Never panics: a missing (nil), badly
	// encoded or wrong-length signature is false. For alg "none" it is always true (no check).
	Verify(digest []byte, sig *string) bool
}

func checkDigest(d []byte) error {
	if len(d) != 32 {
		return invalidArgument("sign: digest must be 32 bytes (SHA-256)")
	}
	return nil
}

// HmacKeyBytes are the key's UTF-8 bytes (untrimmed); an empty key is refused.
func HmacKeyBytes(key string) ([]byte, error) {
	if key == "" {
		return nil, invalidKey("HMAC key must be a non-empty string")
	}
	return []byte(key), nil
}

type hmacSigner struct{ key []byte }

func (s *hmacSigner) Alg() string { return AlgHmac }
func (s *hmacSigner) Sign(digest []byte) (string, error) {
	if err := checkDigest(digest); err != nil {
		return "", err
	}
	return Base64Encode(hmacSum(s.key, digest)), nil
}

func hmacSum(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// CreateHmacSigner is an HMAC-SHA256 signer; key is used as its UTF-8 bytes (PCS_HMAC_KEY).
func CreateHmacSigner(key string) (Signer, error) {
	k, err := HmacKeyBytes(key)
	if err != nil {
		return nil, err
	}
	return &hmacSigner{k}, nil
}

type ed25519Signer struct{ priv ed25519.PrivateKey }

func (s *ed25519Signer) Alg() string { return AlgEd25519 }
func (s *ed25519Signer) Sign(digest []byte) (string, error) {
	if err := checkDigest(digest); err != nil {
		return "", err
	}
	return Base64Encode(ed25519.Sign(s.priv, digest)), nil
}

func decodeKey(b64, what string) ([]byte, error) {
	b, ok := Base64Decode(b64)
	if !ok {
		return nil, invalidKey("%s is not valid standard padded base64", what)
	}
	if len(b) != 32 {
		return nil, invalidKey("%s must decode to 32 bytes, got %d", what, len(b))
	}
	return b, nil
}

// CreateEd25519Signer is an Ed25519 signer from the base64 32-byte seed (PCS_ED25519_PRIV_B64).
func CreateEd25519Signer(privB64 string) (Signer, error) {
	seed, err := decodeKey(privB64, "Ed25519 private key")
	if err != nil {
		return nil, err
	}
	return &ed25519Signer{ed25519.NewKeyFromSeed(seed)}, nil
}

// Ed25519PublicKeyOf is the base64 public key of a base64 seed.
func Ed25519PublicKeyOf(privB64 string) (string, error) {
	seed, err := decodeKey(privB64, "Ed25519 private key")
	if err != nil {
		return "", err
	}
	return Base64Encode(ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)), nil
}

// ConstantTimeEqual compares two byte strings in time that depends only on their lengths.
func ConstantTimeEqual(a, b []byte) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare(a, b) == 1
}

// DecodeSignature is the bytes of a signature of exactly length bytes in canonical padded base64.
func DecodeSignature(sig *string, length int) ([]byte, bool) {
	if sig == nil || len(*sig) > 4*length {
		return nil, false
	}
	b, ok := Base64Decode(*sig)
	if !ok || len(b) != length {
		return nil, false
	}
	return b, true
}

type noneRing struct{}

func (noneRing) Alg() string                 { return AlgNone }
func (noneRing) Verify([]byte, *string) bool { return true }

type hmacRing struct{ keys [][]byte }

func (r *hmacRing) Alg() string { return AlgHmac }
func (r *hmacRing) Verify(digest []byte, sigB64 *string) bool {
	sig, ok := DecodeSignature(sigB64, 32)
	if !ok || len(digest) != 32 {
		return false
	}
	// Every key is tried (no early exit), so timing does not reveal which key matched.
	good := false
	for _, k := range r.keys {
		good = ConstantTimeEqual(hmacSum(k, digest), sig) || good
	}
	return good
}

type ed25519Ring struct{ keys []ed25519.PublicKey }

func (r *ed25519Ring) Alg() string { return AlgEd25519 }
func (r *ed25519Ring) Verify(digest []byte, sigB64 *string) bool {
	sig, ok := DecodeSignature(sigB64, 64)
	if !ok || len(digest) != 32 {
		return false
	}
	good := false
	for _, pub := range r.keys {
		if VerifyEd25519Strict(pub, digest, sig) {
			good = true
		}
	}
	return good
}

// KeyRingOptions configure CreateKeyRing.
type KeyRingOptions struct {
	Alg                  string
	HmacKeys             []string
	Ed25519PublicKeysB64 []string
}

// CreateKeyRing is the v0.1 verifier's key ring (every key accepted). Keys are checked once: an
// empty HMAC key, or an Ed25519 public key that is not 32 bytes of canonical base64 encoding a
// canonical, non-small-order point, is a FlkPcsError (PCS_INVALID_KEY).
func CreateKeyRing(opts KeyRingOptions) (KeyRing, error) {
	switch opts.Alg {
	case AlgNone:
		return noneRing{}, nil
	case AlgHmac:
		if len(opts.HmacKeys) == 0 {
			return nil, invalidKey("an hmac key ring needs at least one key")
		}
		r := &hmacRing{}
		for _, k := range opts.HmacKeys {
			b, err := HmacKeyBytes(k)
			if err != nil {
				return nil, err
			}
			r.keys = append(r.keys, b)
		}
		return r, nil
	case AlgEd25519:
		if len(opts.Ed25519PublicKeysB64) == 0 {
			return nil, invalidKey("an ed25519 key ring needs at least one public key")
		}
		r := &ed25519Ring{}
		for i, b64 := range opts.Ed25519PublicKeysB64 {
			pub, err := CheckEd25519PublicKey(b64, "Ed25519 public key #"+itoa(int64(i+1)))
			if err != nil {
				return nil, err
			}
			r.keys = append(r.keys, ed25519.PublicKey(pub))
		}
		return r, nil
	}
	return nil, invalidArgument("unknown signature algorithm '%s' (expected none|hmac|ed25519)", opts.Alg)
}

// SignPcs returns a copy of the record with sig set to the signer's signature of its signing digest.
func SignPcs(rec *Pcs, signer Signer) (*Pcs, error) {
	d, err := SigningDigest(rec)
	if err != nil {
		return nil, err
	}
	sig, err := signer.Sign(d)
	if err != nil {
		return nil, err
	}
	out := rec.Clone()
	out.Sig = &sig
	return out, nil
}

// ---- Ed25519: strict RFC 8032 on top of crypto/ed25519 -------------------------------------------

var (
	edP = func() *big.Int { p := new(big.Int).Lsh(big.NewInt(1), 255); return p.Sub(p, big.NewInt(19)) }()
	edD = func() *big.Int {
		// d = -121665 / 121666 mod p
		n := new(big.Int).Neg(big.NewInt(121665))
		inv := new(big.Int).ModInverse(big.NewInt(121666), edP)
		n.Mul(n, inv)
		return n.Mod(n, edP)
	}()
	edL = func() *big.Int {
		l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
		return l
	}()
	sqrtM1 = func() *big.Int { // 2^((p-1)/4)
		e := new(big.Int).Sub(edP, big.NewInt(1))
		e.Rsh(e, 2)
		return new(big.Int).Exp(big.NewInt(2), e, edP)
	}()
)

func leToBig(b []byte) *big.Int {
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	return new(big.Int).SetBytes(be)
}

type edPoint struct{ x, y *big.Int }

// decodePointStrict is RFC 8032 §5.1.3 decoding with the strict rules (zip215: false): y < p, x
// recoverable, and not x = 0 with the sign bit set.
func decodePointStrict(b []byte) (edPoint, bool) {
	if len(b) != 32 {
		return edPoint{}, false
	}
	c := append([]byte(nil), b...)
	sign := c[31] >> 7
	c[31] &= 0x7f
	y := leToBig(c)
	if y.Cmp(edP) >= 0 {
		return edPoint{}, false
	}
	// x^2 = (y^2 - 1) / (d y^2 + 1)
	y2 := new(big.Int).Mul(y, y)
	y2.Mod(y2, edP)
	u := new(big.Int).Sub(y2, big.NewInt(1))
	u.Mod(u, edP)
	v := new(big.Int).Mul(edD, y2)
	v.Add(v, big.NewInt(1))
	v.Mod(v, edP)
	vInv := new(big.Int).ModInverse(v, edP)
	if vInv == nil {
		return edPoint{}, false
	}
	x2 := new(big.Int).Mul(u, vInv)
	x2.Mod(x2, edP)
	e := new(big.Int).Add(edP, big.NewInt(3))
	e.Rsh(e, 3)
	x := new(big.Int).Exp(x2, e, edP)
	chk := new(big.Int).Mul(x, x)
	chk.Mod(chk, edP)
	if chk.Cmp(x2) != 0 {
		x.Mul(x, sqrtM1)
		x.Mod(x, edP)
		chk.Mul(x, x)
		chk.Mod(chk, edP)
		if chk.Cmp(x2) != 0 {
			return edPoint{}, false
		}
	}
	if x.Sign() == 0 && sign == 1 {
		return edPoint{}, false
	}
	if uint(x.Bit(0)) != uint(sign) {
		x.Sub(edP, x)
	}
	return edPoint{x, y}, true
}

// edAdd is the complete twisted Edwards addition (a = −1).
func edAdd(p, q edPoint) edPoint {
	x1y2 := new(big.Int).Mul(p.x, q.y)
	y1x2 := new(big.Int).Mul(p.y, q.x)
	x1x2 := new(big.Int).Mul(p.x, q.x)
	y1y2 := new(big.Int).Mul(p.y, q.y)
	t := new(big.Int).Mul(x1x2, y1y2)
	t.Mul(t, edD)
	t.Mod(t, edP)
	num := new(big.Int).Add(x1y2, y1x2)
	den := new(big.Int).Add(big.NewInt(1), t)
	den.ModInverse(den.Mod(den, edP), edP)
	x3 := num.Mul(num, den)
	x3.Mod(x3, edP)
	num2 := new(big.Int).Add(y1y2, x1x2)
	den2 := new(big.Int).Sub(big.NewInt(1), t)
	den2.ModInverse(den2.Mod(den2, edP), edP)
	y3 := num2.Mul(num2, den2)
	y3.Mod(y3, edP)
	return edPoint{x3, y3}
}

func isSmallOrder(p edPoint) bool {
	q := p
	for i := 0; i < 3; i++ {
		q = edAdd(q, q)
	}
	return q.x.Sign() == 0 && q.y.Cmp(big.NewInt(1)) == 0
}

// CheckEd25519PublicKey is the 32 bytes of an Ed25519 public key strict verification can use:
// canonical padded base64, a canonical encoding of a curve point, not of small order.
func CheckEd25519PublicKey(b64, what string) ([]byte, error) {
	b, err := decodeKey(b64, what)
	if err != nil {
		return nil, err
	}
	pt, ok := decodePointStrict(b)
	if !ok {
		return nil, invalidKey("%s is not a valid curve point", what)
	}
	if isSmallOrder(pt) {
		return nil, invalidKey("%s has small order", what)
	}
	return b, nil
}

// VerifyEd25519Strict is RFC 8032 verification with the strict rules of §2.6: S < L, R a
// canonical encoding (crypto/ed25519 compares R with the canonical encoding it recomputes, so a
// non-canonical R never verifies), and the public key canonical and not of small order (which
// CreateKeyRing / ParseKeyRing check once per key; checked here too for direct callers).
func VerifyEd25519Strict(pub, msg, sig []byte) bool {
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return false
	}
	if leToBig(sig[32:]).Cmp(edL) >= 0 {
		return false
	}
	return ed25519.Verify(ed25519.PublicKey(pub), msg, sig)
}

// VerifyEd25519StrictKey is VerifyEd25519Strict plus the public key checks (canonical, not small order).
func VerifyEd25519StrictKey(pub, msg, sig []byte) bool {
	pt, ok := decodePointStrict(pub)
	if !ok || isSmallOrder(pt) {
		return false
	}
	return VerifyEd25519Strict(pub, msg, sig)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
