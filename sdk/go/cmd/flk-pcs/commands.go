package main

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/flk/pcs-go/pcs"
)

var signedFields = []string{"pcs_id", "merkle_root", "epoch", "shard_id", "D_hat", "coh_star", "r", "budget"}

func payloadOf(rec any) fileResult {
	p, err := pcs.CanonicalPayload(rec)
	if err != nil {
		var fe *pcs.FlkPcsError
		if errors.As(err, &fe) {
			return fail(fe.Message)
		}
		panic(err)
	}
	return okLine(p)
}

// flk pcs canonical FILE...: v0.1 payload (the eight signed fields; partial records work) or, for
// "version": "0.2", the whole-record payload of a record that passes v0.2 structure. A pcs_id that
// does not match is taken as given.
func pcsCanonical(args []string, c *context) (int, error) {
	p, err := parseCommandArgs(args, optSpec{}, helpCanonical)
	if err != nil {
		return 0, err
	}
	if p.flags["help"] {
		c.line(canonicalHelp)
		return exitOK, nil
	}
	return forEachFile(c, p.positionals, helpCanonical, func(b []byte) fileResult {
		if r, ok := v02Payload(b); ok {
			return r
		}
		rec, problem, ok := readRecordFields(b, signedFields)
		if !ok {
			return fail(problem)
		}
		return payloadOf(rec)
	})
}

func v02Payload(b []byte) (fileResult, bool) {
	text, ok := recordText(b)
	if !ok {
		return fileResult{}, false
	}
	v, ok := jsonParse(text)
	if !ok {
		return fileResult{}, false
	}
	o, isObj := v.(*pcs.Object)
	if !isObj {
		return fileResult{}, false
	}
	if version, _ := o.Get("version"); version != pcs.PcsVersionV02 {
		return fileResult{}, false
	}
	res := pcs.ParsePcsJSON(text)
	if res.OK {
		return payloadOf(res.Pcs), true
	}
	var problems []string
	for _, r := range res.Reasons {
		if r != "malformed:pcs_id_mismatch" {
			problems = append(problems, r)
		}
	}
	if len(problems) > 0 {
		return fail(strings.Join(problems, ", ")), true
	}
	return payloadOf(o), true
}

// flk pcs id FILE...: the pcs_id computed from merkle_root, epoch and shard_id.
func pcsID(args []string, c *context) (int, error) {
	p, err := parseCommandArgs(args, optSpec{}, helpID)
	if err != nil {
		return 0, err
	}
	if p.flags["help"] {
		c.line(idHelp)
		return exitOK, nil
	}
	return forEachFile(c, p.positionals, helpID, func(b []byte) fileResult {
		rec, problem, ok := readRecordFields(b, []string{"merkle_root", "epoch", "shard_id"})
		if !ok {
			return fail(problem)
		}
		mr, _ := rec.Get("merkle_root")
		ep, _ := rec.Get("epoch")
		sh, _ := rec.Get("shard_id")
		mrs, ok1 := mr.(string)
		epf, ok2 := ep.(float64)
		shs, ok3 := sh.(string)
		if !ok1 || !ok3 {
			return fail("computePcsId: merkle_root and shard_id must be strings")
		}
		if !ok2 || epf != float64(int64(epf)) {
			return fail("computePcsId: epoch must be an integer within ±(2^53 − 1)")
		}
		id, err := pcs.ComputePcsID(mrs, int64(epf), shs)
		if err != nil {
			return fail(err.Error())
		}
		return okLine(id)
	})
}

// flk pcs sign FILE...: each valid record with sig set, other members and key order unchanged.
func pcsSign(args []string, c *context) (int, error) {
	p, err := parseCommandArgs(args, optSpec{"alg": "string"}, helpSign)
	if err != nil {
		return 0, err
	}
	if p.flags["help"] {
		c.line(signHelp)
		return exitOK, nil
	}
	alg, err := resolveAlg(strPtr(p, "alg"), c, []string{pcs.AlgHmac, pcs.AlgEd25519}, "", helpSign)
	if err != nil {
		return 0, err
	}
	// Keys are checked before any file is read: a configuration error stops the command (exit 2).
	signer, err := signerFromEnv(alg, c)
	if err != nil {
		return 0, err
	}
	return forEachFile(c, p.positionals, helpSign, func(b []byte) fileResult {
		text, ok := recordText(b)
		if !ok {
			return fail("malformed:utf8")
		}
		res := pcs.ParsePcsJSON(text)
		if !res.OK {
			return fail(strings.Join(res.Reasons, ", "))
		}
		signed, err := pcs.SignPcs(res.Pcs, signer)
		if err != nil {
			var fe *pcs.FlkPcsError
			if errors.As(err, &fe) {
				return fail(fe.Message)
			}
			panic(err)
		}
		// The input as written, with sig replaced in place or appended (JavaScript key order).
		raw, _ := jsonParse(text)
		o := raw.(*pcs.Object).Clone()
		o.Set("sig", *signed.Sig)
		return okLine(pcs.Stringify(o))
	})
}

var toleranceFlags = []struct{ flag, key string }{{"tol-d", "tolD"}, {"tol-coh", "tolCoh"}, {"tol-r", "tolR"}, {"tol-budget", "tolBudget"}}

func decisionParams(p *parsed) (pcs.DecisionParams, error) {
	var in pcs.DecisionParamsInput
	for _, t := range toleranceFlags {
		v, err := numberFlag(p, t.flag, helpVerify)
		if err != nil {
			return pcs.DecisionParams{}, err
		}
		switch t.key {
		case "tolD":
			in.TolD = v
		case "tolCoh":
			in.TolCoh = v
		case "tolR":
			in.TolR = v
		case "tolBudget":
			in.TolBudget = v
		}
	}
	params, err := pcs.CreateDecisionParams(in)
	if err != nil {
		return params, &usageError{err.Error(), helpVerify}
	}
	return params, nil
}

// readInt is EnvReader.int.
func readInt(c *context, name string, fallback, min, max int64, problems *[]string) int64 {
	v, ok := envRaw(c, name)
	if !ok {
		return fallback
	}
	if regexp.MustCompile(`^-?[0-9]+$`).MatchString(v) {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= min && n <= max && n <= pcs.MaxSafeInteger && n >= -pcs.MaxSafeInteger {
			return n
		}
	}
	*problems = append(*problems, name+": expected an integer in ["+strconv.FormatInt(min, 10)+", "+strconv.FormatInt(max, 10)+"], got "+pcs.QuoteString(v))
	return fallback
}

// flk pcs verify FILE...: the verdict of each record, decided offline (no dedup store).
func pcsVerify(args []string, c *context) (int, error) {
	p, err := parseCommandArgs(args, optSpec{"alg": "string", "now": "string", "strict": "boolean",
		"tol-d": "string", "tol-coh": "string", "tol-r": "string", "tol-budget": "string"}, helpVerify)
	if err != nil {
		return 0, err
	}
	if p.flags["help"] {
		c.line(verifyHelp)
		return exitOK, nil
	}
	params, err := decisionParams(p)
	if err != nil {
		return 0, err
	}
	var nowFlag *pcs.Instant
	if s, ok := p.str("now"); ok {
		t, ok := pcs.ParseRFC3339(s)
		if !ok {
			return 0, &usageError{"--now: expected an RFC 3339 time like 2025-01-01T00:00:00Z, got '" + s + "'", helpVerify}
		}
		nowFlag = &t
	}
	alg, err := resolveAlg(strPtr(p, "alg"), c, pcs.SignAlgs, pcs.AlgNone, helpVerify)
	if err != nil {
		return 0, err
	}
	_, algFlag := p.str("alg")
	envAlg, _ := c.env(envSignAlg)
	explicitNone := alg == pcs.AlgNone && (algFlag || jsTrim(envAlg) != "")
	var v01 pcs.KeyRing
	if alg != pcs.AlgNone {
		if v01, err = keyRingFromEnv(alg, c); err != nil {
			return 0, err
		}
	}
	ringFile, _ := c.env(envKeyringFile)
	ringFile = jsTrim(ringFile)
	var tenants *pcs.TenantKeyRing
	if ringFile != "" && !explicitNone {
		if tenants, err = loadTenantRing(c, ringFile); err != nil {
			return 0, err
		}
	}
	var problems []string
	accept := envList(c, envAcceptVersions, pcs.PcsVersions)
	badAccept := len(accept) == 0
	for _, v := range accept {
		if !contains(pcs.PcsVersions, v) {
			badAccept = true
		}
	}
	if badAccept {
		problems = append(problems, envAcceptVersions+": expected a comma-separated list of "+strings.Join(pcs.PcsVersions, ", "))
	}
	maxAge := readInt(c, envMaxAge, pcs.DefaultMaxAgeSeconds, 1, 10*365*86400, &problems)
	maxSkew := readInt(c, envMaxSkew, pcs.DefaultMaxSkewSeconds, 0, 86400, &problems)
	if len(problems) > 0 {
		return 0, &configError{strings.Join(problems, "; ")}
	}
	signatures := alg != pcs.AlgNone || tenants != nil
	cfg, err := pcs.CreateDecideConfig(pcs.DecideConfigInput{Params: &params, Signatures: &signatures, V01: v01, Tenants: tenants,
		AcceptVersions: accept, MaxAgeSeconds: &maxAge, MaxSkewSeconds: &maxSkew})
	if err != nil {
		return 0, err
	}
	notAccepted := 0
	status, err := forEachFile(c, p.positionals, helpVerify, func(b []byte) fileResult {
		decidedAt := c.now()
		now := nowFlag
		if now == nil {
			t := pcs.InstantFromMs(decidedAt.UnixMilli())
			now = &t
		}
		v, err := pcs.Decide(b, cfg, nil, pcs.DecideMeta{DecidedAt: isoString(decidedAt), Now: now})
		if err != nil {
			panic(err)
		}
		if !v.Accepted {
			notAccepted++
		}
		return okLine(v.JSON())
	})
	if err != nil {
		return 0, err
	}
	if status == exitOK && p.flags["strict"] && notAccepted > 0 {
		return exitInput, nil
	}
	return status, nil
}

// loadTenantRing (@flk/config signing.ts): problems become `PCS_KEYRING_FILE: <problem>` (exit 2).
func loadTenantRing(c *context, path string) (*pcs.TenantKeyRing, error) {
	b, err := c.io.readFile(path)
	if err != nil {
		code := nodeErrorCode(err)
		if code != "" {
			code = " (" + code + ")"
		}
		return nil, &configError{envKeyringFile + ": cannot read " + path + code}
	}
	ring, err := pcs.ParseKeyRing(pcs.LenientUTF8(b), envSources{c})
	if err != nil {
		var fe *pcs.FlkPcsError
		if errors.As(err, &fe) {
			return nil, &configError{envKeyringFile + ": " + fe.Message}
		}
		return nil, err
	}
	return ring, nil
}

type envSources struct{ c *context }

func (s envSources) Env(name string) (string, bool) { return s.c.env(name) }
func (s envSources) ReadFile(path string) (string, error) {
	b, err := s.c.io.readFile(path)
	if err != nil {
		return "", err
	}
	return pcs.LenientUTF8(b), nil
}
