package pcs

import (
	"errors"
	"io/fs"
	"os"
	"sort"
	"strings"
	"syscall"
	"unicode/utf8"
)

// §7.3: the v0.2 key ring, a port of keyring.ts. Every key has a key_id, exactly one tenant, an
// algorithm, its secret or public key, and an optional validity window. A v0.2 record is checked
// with the one key its key_id names, never by trying the others. The document format
// (PCS_KEYRING_FILE) is documented in docs/contract.md §7.3.

// TenantKey is one key of a v0.2 ring.
type TenantKey struct {
	KeyID    string
	TenantID string
	Alg      string // "hmac" or "ed25519"
	// NotBefore / NotAfter are the inclusive bounds, nil when open.
	NotBefore *Instant
	NotAfter  *Instant
	sigBytes  int
	check     func(digest, sig []byte) bool
}

// Verify reports whether sigB64 is this key's signature of digest. Never panics.
func (k *TenantKey) Verify(digest []byte, sigB64 *string) bool {
	sig, ok := DecodeSignature(sigB64, k.sigBytes)
	return ok && len(digest) == 32 && k.check(digest, sig)
}

// TenantKeyRing is the v0.2 ring.
type TenantKeyRing struct {
	byID map[string]*TenantKey
	// Keys in document order.
	Keys []*TenantKey
	// Tenants are the distinct tenants, sorted.
	Tenants []string
}

// Get returns the key with that key_id, or nil.
func (r *TenantKeyRing) Get(keyID string) *TenantKey {
	if r == nil {
		return nil
	}
	return r.byID[keyID]
}

// KeyRingSources is where secret_file / secret_env are read from.
type KeyRingSources interface {
	// Env is the variable's value; ok false when unset.
	Env(name string) (string, bool)
	// ReadFile is the file's text (UTF-8).
	ReadFile(path string) (string, error)
}

// OSSources reads the process environment and the file system.
type OSSources struct{}

// Env is os.LookupEnv.
func (OSSources) Env(name string) (string, bool) { return os.LookupEnv(name) }

// ReadFile reads the file as UTF-8 text (invalid bytes become U+FFFD, as Node's 'utf8' decoding).
func (OSSources) ReadFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return LenientUTF8(b), nil
}

// LenientUTF8 is Node's 'utf8' decoding: each invalid byte becomes U+FFFD (strings.ToValidUTF8
// would fold a run of them into one).
func LenientUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			sb.WriteString("\ufffd")
		} else {
			sb.Write(b[i : i+size])
		}
		i += size
	}
	return sb.String()
}

type noSources struct{}

func (noSources) Env(string) (string, bool)       { return "", false }
func (noSources) ReadFile(string) (string, error) { return "", errors.New("no file access") }

// MaxRingKeys bounds a ring (and so the tenant label set).
const MaxRingKeys = 10_000

var entryMembers = map[string]bool{"key_id": true, "tenant_id": true, "alg": true, "secret": true, "secret_file": true,
	"secret_env": true, "public_key_b64": true, "not_before": true, "not_after": true}
var secretSources = []string{"secret", "secret_file", "secret_env"}

func ringError(format string, args ...any) *FlkPcsError {
	return newError(CodeInvalidKeyRing, format, args...)
}

// ParseKeyRing parses and checks a key ring document (JSON text). Every problem names the entry
// (`keys[2] (key_id acme-2026-12): duplicate key_id`) and never the secret. Errors are
// FlkPcsError (PCS_INVALID_KEYRING). sources may be nil (no files, no variables).
func ParseKeyRing(text string, sources KeyRingSources) (*TenantKeyRing, error) {
	read := ReadJSON(text, 8)
	if !read.OK {
		return nil, ringError("not JSON (%s)", read.Detail)
	}
	doc, ok := read.Value.(*Object)
	if !ok {
		return nil, ringError(`the document must be an object {"keys": [...]}`)
	}
	for _, k := range doc.Keys() {
		if k != "keys" {
			return nil, ringError(`unknown member '%s' (expected only "keys")`, safeRingName(k))
		}
	}
	keys, ok := getOpt(doc, "keys").([]any)
	if !ok {
		return nil, ringError(`"keys" must be an array`)
	}
	return CreateTenantKeyRing(keys, sources)
}

// CreateTenantKeyRing builds a ring from entries (JSON values, each an *Object), with the checks
// of ParseKeyRing.
func CreateTenantKeyRing(entries []any, sources KeyRingSources) (*TenantKeyRing, error) {
	if sources == nil {
		sources = noSources{}
	}
	if len(entries) > MaxRingKeys {
		return nil, ringError("too many keys (%d > %d)", len(entries), MaxRingKeys)
	}
	r := &TenantKeyRing{byID: map[string]*TenantKey{}}
	for i, e := range entries {
		key, err := buildTenantKey(e, i, sources)
		if err != nil {
			return nil, err
		}
		if r.byID[key.KeyID] != nil {
			return nil, ringError("%s: duplicate key_id", where(i, e))
		}
		r.byID[key.KeyID] = key
		r.Keys = append(r.Keys, key)
	}
	seen := map[string]bool{}
	for _, k := range r.Keys {
		if !seen[k.TenantID] {
			seen[k.TenantID] = true
			r.Tenants = append(r.Tenants, k.TenantID)
		}
	}
	sort.Strings(r.Tenants)
	return r, nil
}

func where(i int, entry any) string {
	if o, ok := entry.(*Object); ok {
		if id, ok := getOpt(o, "key_id").(string); ok && IDPattern.MatchString(id) {
			return "keys[" + itoa(int64(i)) + "] (key_id " + id + ")"
		}
	}
	return "keys[" + itoa(int64(i)) + "]"
}

// safeRingName is keyring.ts safe(): cut to 64 UTF-16 units, [^A-Za-z0-9_.-] → '?'.
func safeRingName(s string) string {
	var b []byte
	n := 0
	codeUnits(s, func(u uint16) bool {
		if n == 64 {
			return false
		}
		n++
		if u < 0x80 && (isSafeChar(byte(u)) || u == '.') {
			b = append(b, byte(u))
		} else {
			b = append(b, '?')
		}
		return true
	})
	return string(b)
}

const idRule = "must be 1-64 characters of [a-z0-9._-], the first a letter or digit"

func buildTenantKey(entry any, i int, sources KeyRingSources) (*TenantKey, error) {
	at := where(i, entry)
	bad := func(format string, args ...any) error {
		return ringError("%s: "+format, append([]any{at}, args...)...)
	}
	e, ok := entry.(*Object)
	if !ok {
		return nil, bad("an entry must be an object")
	}
	for _, k := range e.Keys() {
		if !entryMembers[k] {
			return nil, bad("unknown member '%s'", safeRingName(k))
		}
	}
	for _, k := range e.Keys() {
		if _, ok := getOpt(e, k).(string); !ok {
			return nil, bad("%s must be a string", k)
		}
	}
	str := func(k string) (string, bool) { s, ok := getOpt(e, k).(string); return s, ok }
	keyID, has := str("key_id")
	if !has {
		return nil, bad("key_id is required")
	}
	if !IDPattern.MatchString(keyID) {
		return nil, bad("key_id " + idRule)
	}
	tenantID, has := str("tenant_id")
	if !has {
		return nil, bad("tenant_id is required")
	}
	if !IDPattern.MatchString(tenantID) {
		return nil, bad("tenant_id " + idRule)
	}
	bound := func(name string) (*Instant, error) {
		v, has := str(name)
		if !has {
			return nil, nil
		}
		t, ok := ParseRFC3339(v)
		if !ok {
			return nil, bad("%s is not an RFC 3339 date-time (e.g. 2026-11-01T00:00:00Z)", name)
		}
		return &t, nil
	}
	notBefore, err := bound("not_before")
	if err != nil {
		return nil, err
	}
	notAfter, err := bound("not_after")
	if err != nil {
		return nil, err
	}
	if notBefore != nil && notAfter != nil && notAfter.Compare(*notBefore) < 0 {
		return nil, bad("not_after is before not_before")
	}
	key := &TenantKey{KeyID: keyID, TenantID: tenantID, NotBefore: notBefore, NotAfter: notAfter}
	alg, hasAlg := str("alg")
	switch {
	case hasAlg && alg == AlgHmac:
		if e.Has("public_key_b64") {
			return nil, bad("public_key_b64 is for ed25519 keys; an hmac key takes secret, secret_file or secret_env")
		}
		var given []string
		for _, s := range secretSources {
			if e.Has(s) {
				given = append(given, s)
			}
		}
		if len(given) != 1 {
			got := "none"
			if len(given) > 0 {
				got = strings.Join(given, ", ")
			}
			return nil, bad("an hmac key needs exactly one of secret, secret_file, secret_env (got %s)", got)
		}
		ref, _ := str(given[0])
		secret, err := readSecret(given[0], ref, sources, bad)
		if err != nil {
			return nil, err
		}
		if secret == "" {
			return nil, bad("the secret (%s) is empty", given[0])
		}
		kb, _ := HmacKeyBytes(secret)
		key.Alg, key.sigBytes = AlgHmac, 32
		key.check = func(digest, sig []byte) bool { return ConstantTimeEqual(hmacSum(kb, digest), sig) }
	case hasAlg && alg == AlgEd25519:
		for _, s := range secretSources {
			if e.Has(s) {
				return nil, bad("%s is for hmac keys; an ed25519 key takes public_key_b64", s)
			}
		}
		b64, has := str("public_key_b64")
		if !has {
			return nil, bad("public_key_b64 is required for an ed25519 key")
		}
		pub, err := CheckEd25519PublicKey(b64, "public_key_b64")
		if err != nil {
			return nil, bad("%s", err.Error())
		}
		key.Alg, key.sigBytes = AlgEd25519, 64
		key.check = func(digest, sig []byte) bool { return VerifyEd25519Strict(pub, digest, sig) }
	case !hasAlg:
		return nil, bad("alg is required (hmac or ed25519)")
	default:
		return nil, bad("unknown alg '%s' (expected hmac or ed25519)", safeRingName(alg))
	}
	return key, nil
}

func readSecret(source, ref string, sources KeyRingSources, bad func(string, ...any) error) (string, error) {
	switch source {
	case "secret":
		return ref, nil
	case "secret_env":
		v, ok := sources.Env(ref)
		if !ok {
			return "", bad("secret_env: variable %s is not set", safeRingName(ref))
		}
		return v, nil
	}
	text, err := sources.ReadFile(ref)
	if err != nil {
		code := errnoName(err)
		if code != "" {
			code = " (" + code + ")"
		}
		return "", bad("secret_file: cannot read %s%s", ref, code)
	}
	// One trailing newline is what `echo` and most secret stores leave; nothing else is trimmed.
	if strings.HasSuffix(text, "\r\n") {
		return text[:len(text)-2], nil
	}
	return strings.TrimSuffix(text, "\n"), nil
}

// errnoName is Node's error code for a file system error (ENOENT, EACCES, EISDIR, …), or "".
func errnoName(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ENOENT:
			return "ENOENT"
		case syscall.EACCES:
			return "EACCES"
		case syscall.EISDIR:
			return "EISDIR"
		case syscall.ENOTDIR:
			return "ENOTDIR"
		case syscall.EPERM:
			return "EPERM"
		case syscall.ELOOP:
			return "ELOOP"
		case syscall.EMFILE:
			return "EMFILE"
		case syscall.ENAMETOOLONG:
			return "ENAMETOOLONG"
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return "ENOENT"
	}
	if errors.Is(err, fs.ErrPermission) {
		return "EACCES"
	}
	return ""
}
