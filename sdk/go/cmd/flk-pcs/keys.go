package main

import (
	"errors"
	"sort"
	"strings"

	"github.com/flk/pcs-go/pcs"
)

// Key material from the environment (keys.ts + @flk/config EnvReader): a missing or invalid key is a
// configuration error (exit 2) naming the variable, never echoing the key.

const (
	envSignAlg        = "PCS_SIGN_ALG"
	envHmacKey        = "PCS_HMAC_KEY"
	envEd25519Priv    = "PCS_ED25519_PRIV_B64"
	envEd25519Pub     = "PCS_ED25519_PUB_B64"
	envKeyringFile    = "PCS_KEYRING_FILE"
	envAcceptVersions = "PCS_ACCEPT_VERSIONS"
	envMaxAge         = "PCS_MAX_AGE_SECONDS"
	envMaxSkew        = "PCS_MAX_SKEW_SECONDS"
	envTenantID       = "PCS_TENANT_ID"
	envKeyID          = "PCS_KEY_ID"
)

// envRaw is EnvReader.raw: the trimmed value, or false when unset or blank.
func envRaw(c *context, name string) (string, bool) {
	v, ok := c.env(name)
	if !ok || jsTrim(v) == "" {
		return "", false
	}
	return jsTrim(v), true
}

// envList is EnvReader.list: comma-separated, each entry trimmed, empty entries dropped.
func envList(c *context, name string, fallback []string) []string {
	v, ok := envRaw(c, name)
	if !ok {
		return append([]string(nil), fallback...)
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = jsTrim(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// resolveAlg: --alg when given, else PCS_SIGN_ALG when set, else fallback ("" = required).
func resolveAlg(flag *string, c *context, allowed []string, fallback, help string) (string, error) {
	list := strings.Join(allowed, "|")
	if flag != nil {
		if !contains(allowed, *flag) {
			return "", &usageError{"--alg: expected " + list + ", got '" + *flag + "'", help}
		}
		return *flag, nil
	}
	if v, ok := envRaw(c, envSignAlg); ok {
		if !contains(pcs.SignAlgs, v) {
			return "", &configError{envSignAlg + ": expected one of none, hmac, ed25519, got " + pcs.QuoteString(v)}
		}
		if contains(allowed, v) {
			return v, nil
		}
		if fallback == "" {
			return "", &usageError{envSignAlg + "=" + v + " cannot be used here: give --alg " + list, help}
		}
	}
	if fallback == "" {
		return "", &usageError{"missing required option --alg " + list + " (or set " + envSignAlg + ")", help}
	}
	return fallback, nil
}

func requireKeys(c *context, name, alg string) ([]string, error) {
	keys := envList(c, name, nil)
	if len(keys) == 0 {
		return nil, &configError{name + " is not set (needed for " + alg + " signatures)"}
	}
	return keys, nil
}

// withKeyErrors turns the core's invalid-key error into a config error naming the variable.
func withKeyErrors[T any](name string, secrets []string, v T, err error) (T, error) {
	if err == nil {
		return v, nil
	}
	var fe *pcs.FlkPcsError
	if !errors.As(err, &fe) {
		return v, err
	}
	return v, &configError{name + ": invalid key (" + redact(fe.Message, secrets) + ")"}
}

func redact(text string, secrets []string) string {
	s := append([]string(nil), secrets...)
	sort.SliceStable(s, func(i, j int) bool { return len(s[i]) > len(s[j]) }) // UTF-16 length order is close enough for redaction
	for _, k := range s {
		if k != "" {
			text = strings.ReplaceAll(text, k, "***")
		}
	}
	return text
}

// signerFromEnv: the signer for alg (HMAC: the first key of the ring), nil for none.
func signerFromEnv(alg string, c *context) (pcs.Signer, error) {
	if alg == pcs.AlgNone {
		return nil, nil
	}
	name := envHmacKey
	if alg == pcs.AlgEd25519 {
		name = envEd25519Priv
	}
	keys, err := requireKeys(c, name, alg)
	if err != nil {
		return nil, err
	}
	if alg == pcs.AlgHmac {
		s, err := pcs.CreateHmacSigner(keys[0])
		return withKeyErrors(name, keys, s, err)
	}
	s, err := pcs.CreateEd25519Signer(keys[0])
	return withKeyErrors(name, keys, s, err)
}

// keyRingFromEnv: the v0.1 ring for alg (every key of PCS_HMAC_KEY / PCS_ED25519_PUB_B64).
func keyRingFromEnv(alg string, c *context) (pcs.KeyRing, error) {
	switch alg {
	case pcs.AlgNone:
		return pcs.CreateKeyRing(pcs.KeyRingOptions{Alg: pcs.AlgNone})
	case pcs.AlgHmac:
		keys, err := requireKeys(c, envHmacKey, alg)
		if err != nil {
			return nil, err
		}
		r, err := pcs.CreateKeyRing(pcs.KeyRingOptions{Alg: alg, HmacKeys: keys})
		return withKeyErrors(envHmacKey, keys, r, err)
	}
	keys, err := requireKeys(c, envEd25519Pub, alg)
	if err != nil {
		return nil, err
	}
	r, err := pcs.CreateKeyRing(pcs.KeyRingOptions{Alg: alg, Ed25519PublicKeysB64: keys})
	return withKeyErrors(envEd25519Pub, keys, r, err)
}
