package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var fixedNow = time.Date(2025, 1, 2, 3, 4, 5, 678_000_000, time.UTC)

type result struct {
	code           int
	stdout, stderr string
}

func (r result) lines() []string { return strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") }

func runCLI(t *testing.T, args []string, env map[string]string, files map[string]string, stdin string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &cliIO{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, env: env, now: func() time.Time { return fixedNow },
		readFile: func(p string) ([]byte, error) {
			if s, ok := files[p]; ok {
				return []byte(s), nil
			}
			return os.ReadFile(p)
		},
	})
	return result{code, out.String(), errb.String()}
}

func vectorsDir() string { return filepath.Join("..", "..", "..", "..", "test", "vectors") }

func loadVector(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorsDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// flatJSON writes a flat object's members as they are in the vector file (numbers verbatim).
func flatJSON(t *testing.T, raw json.RawMessage) string { return string(raw) }

func TestCanonicalAndSignVectors(t *testing.T) {
	b, _ := os.ReadFile(filepath.Join(vectorsDir(), "canonical.json"))
	var v struct {
		Keys  map[string]string
		Cases []struct {
			Name           string
			Fields         json.RawMessage
			Payload, PcsID string `json:"-"`
			P              string `json:"payload"`
			ID             string `json:"pcs_id"`
			HmacSig        string `json:"hmac_sig"`
			EdSig          string `json:"ed25519_sig"`
		}
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	var names []string
	for i, c := range v.Cases {
		name := "case-" + strconv.Itoa(i) + ".json"
		files[name] = string(c.Fields)
		names = append(names, name)
	}
	r := runCLI(t, append([]string{"canonical"}, names...), nil, files, "")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("%+v", r)
	}
	for i, l := range r.lines() {
		if l != v.Cases[i].P {
			t.Errorf("%s:\n got %s\nwant %s", v.Cases[i].Name, l, v.Cases[i].P)
		}
	}
	r = runCLI(t, append([]string{"id"}, names...), nil, files, "")
	for i, l := range r.lines() {
		if l != v.Cases[i].ID {
			t.Errorf("%s: id %s", v.Cases[i].Name, l)
		}
	}
	// sign needs a whole valid record: the signed fields on top of the sample record.
	sample := map[string]json.RawMessage{}
	_ = json.Unmarshal([]byte(sampleRecord), &sample)
	recs := map[string]string{}
	var recNames []string
	for i, c := range v.Cases {
		var f map[string]json.RawMessage
		_ = json.Unmarshal(c.Fields, &f)
		text := "{"
		first := true
		add := func(k string, val json.RawMessage) {
			if !first {
				text += ","
			}
			first = false
			kk, _ := json.Marshal(k)
			text += string(kk) + ":" + string(val)
		}
		for _, k := range sampleOrder {
			if val, ok := f[k]; ok {
				add(k, val)
			} else {
				add(k, sample[k])
			}
		}
		add("sig", json.RawMessage("null"))
		name := "rec-" + strconv.Itoa(i) + ".json"
		recs[name] = text + "}"
		recNames = append(recNames, name)
	}
	for _, alg := range []struct{ alg, env, key, field string }{{"hmac", "PCS_HMAC_KEY", v.Keys["hmac_key"] + "," + v.Keys["hmac_key_2"], "hmac"}, {"ed25519", "PCS_ED25519_PRIV_B64", v.Keys["ed25519_priv_b64"], "ed"}} {
		r := runCLI(t, append([]string{"sign", "--alg", alg.alg}, recNames...), map[string]string{alg.env: alg.key}, recs, "")
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("%s: %+v", alg.alg, r)
		}
		for i, l := range r.lines() {
			var got struct{ Sig string }
			_ = json.Unmarshal([]byte(l), &got)
			want := v.Cases[i].HmacSig
			if alg.field == "ed" {
				want = v.Cases[i].EdSig
			}
			if got.Sig != want {
				t.Errorf("%s %s: sig %s, want %s", alg.alg, v.Cases[i].Name, got.Sig, want)
			}
			if !strings.HasSuffix(l, `"sig":"`+want+`"}`) {
				t.Errorf("sig not replaced in place: %s", l)
			}
		}
	}
}

var sampleOrder = []string{"pcs_id", "schema", "version", "shard_id", "epoch", "attempt", "sent_at", "seed", "scales", "N_j", "coh_star", "v_star", "D_hat", "r", "regime", "budget", "merkle_root", "ft"}

const sampleRecord = `{"pcs_id":"9cdef0f97f5c77e0aa4799e9696909feaa68d51348ee71968cd83f2ef3566b00","schema":"fractal-lba-kakeya","version":"0.1","shard_id":"shard-001","epoch":1,"attempt":1,"sent_at":"2025-01-01T00:00:00Z","seed":42,"scales":[2,4,8,16,32],"N_j":{"2":3,"4":5,"8":9,"16":17,"32":31},"coh_star":0.73,"v_star":[0.12,0.98,-0.05],"D_hat":0.857365188,"r":0.87,"regime":"sticky","budget":0.285,"merkle_root":"6c111be80d9a1bf078fb6b327db93bcde340babd7b716fdd7f3e0d042b8fed9f","ft":{"outbox_seq":123,"degraded":false,"fallbacks":[],"clock_skew_ms":0}}`

type verdictCase struct {
	Name       string
	Keyring    string
	Params     map[string]json.RawMessage
	Prior      json.RawMessage
	Input      json.RawMessage
	InputJSON  *string `json:"input_json"`
	Expected   json.RawMessage
	Signatures *bool
	V01Ring    *string `json:"v01_ring"`
	Ring       *string
	Accept     []string `json:"accept_versions"`
	Now        string
	MaxAge     *int64 `json:"max_age_seconds"`
	MaxSkew    *int64 `json:"max_skew_seconds"`
}

var tolFlags = map[string]string{"tolD": "--tol-d", "tolCoh": "--tol-coh", "tolR": "--tol-r", "tolBudget": "--tol-budget"}

func expressible(c verdictCase) bool {
	if len(c.Prior) > 0 && string(c.Prior) != "null" {
		return false
	}
	for k := range c.Params {
		if tolFlags[k] == "" {
			return false
		}
	}
	return true
}

// expectedLine is the expected verdict with the CLI's decided_at and source, in the file's order.
func expectedLine(t *testing.T, raw json.RawMessage) string {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	order := []string{"pcs_id", "status", "accepted", "escalated", "recomputed_D_hat", "recomputed_budget", "reason", "reasons", "duplicate", "decided_at", "source", "tenant_id", "sent_at", "version", "key_id", "signature_checked"}
	out := "{"
	for i, k := range order {
		v, ok := m[k]
		if !ok {
			return ""
		}
		if k == "decided_at" {
			v = json.RawMessage(`"2025-01-02T03:04:05.678Z"`)
		}
		if k == "source" {
			v = json.RawMessage("null")
		}
		if i > 0 {
			out += ","
		}
		var compact bytes.Buffer
		_ = json.Compact(&compact, v)
		out += `"` + k + `":` + compact.String()
	}
	return out + "}"
}

func flags(c verdictCase) []string {
	var out []string
	for k, v := range c.Params {
		out = append(out, tolFlags[k], string(v))
	}
	return out
}

func TestVerifyVectors(t *testing.T) {
	b, _ := os.ReadFile(filepath.Join(vectorsDir(), "verdicts.json"))
	var v struct {
		Keys  map[string]string
		Cases []verdictCase
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	env := map[string]map[string]string{
		"none":    {"PCS_SIGN_ALG": "none"},
		"hmac":    {"PCS_SIGN_ALG": "hmac", "PCS_HMAC_KEY": v.Keys["hmac_key"] + "," + v.Keys["hmac_key_2"]},
		"ed25519": {"PCS_SIGN_ALG": "ed25519", "PCS_ED25519_PUB_B64": v.Keys["ed25519_pub_b64"] + "," + v.Keys["ed25519_pub_2_b64"]},
	}
	n := 0
	for _, c := range v.Cases {
		if !expressible(c) {
			continue
		}
		text := string(c.Input)
		if c.InputJSON != nil {
			text = *c.InputJSON
		}
		r := runCLI(t, append(append([]string{"verify"}, flags(c)...), "rec.json"), env[c.Keyring], map[string]string{"rec.json": text}, "")
		want := expectedLine(t, c.Expected)
		if r.code != 0 || r.stderr != "" || (want != "" && r.stdout != want+"\n") {
			t.Errorf("%s:\n got %s\nwant %s\n%s", c.Name, r.stdout, want, r.stderr)
		}
		n++
	}
	if n < len(v.Cases)-10 {
		t.Errorf("only %d of %d cases expressible", n, len(v.Cases))
	}
}

func TestVerifyV02Vectors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(vectorsDir(), "v02.json"))
	if err != nil {
		t.Fatalf("test/vectors/v02.json: %v", err)
	}
	var v struct {
		Keys  map[string]string
		Rings map[string]json.RawMessage
		Cases []verdictCase `json:"verdicts"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, ring := range v.Rings {
		if err := os.WriteFile(filepath.Join(dir, name+".json"), ring, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, c := range v.Cases {
		if !expressible(c) {
			continue
		}
		env := map[string]string{}
		if !*c.Signatures {
			env["PCS_SIGN_ALG"] = "none"
		} else if c.V01Ring != nil && *c.V01Ring == "hmac" {
			env["PCS_SIGN_ALG"], env["PCS_HMAC_KEY"] = "hmac", v.Keys["hmac_key"]+","+v.Keys["hmac_key_2"]
		} else if c.V01Ring != nil && *c.V01Ring == "ed25519" {
			env["PCS_SIGN_ALG"], env["PCS_ED25519_PUB_B64"] = "ed25519", v.Keys["ed25519_pub_b64"]+","+v.Keys["ed25519_pub_2_b64"]
		}
		if c.Ring != nil {
			env["PCS_KEYRING_FILE"] = filepath.Join(dir, *c.Ring+".json")
		}
		env["PCS_ACCEPT_VERSIONS"] = strings.Join(c.Accept, ",")
		env["PCS_MAX_AGE_SECONDS"] = strconv.FormatInt(*c.MaxAge, 10)
		env["PCS_MAX_SKEW_SECONDS"] = strconv.FormatInt(*c.MaxSkew, 10)
		text := string(c.Input)
		if c.InputJSON != nil {
			text = *c.InputJSON
		}
		r := runCLI(t, append(append([]string{"verify", "--now", c.Now}, flags(c)...), "rec.json"), env, map[string]string{"rec.json": text}, "")
		want := expectedLine(t, c.Expected)
		if r.code != 0 || r.stderr != "" || r.stdout != want+"\n" {
			t.Errorf("%s:\n got %s\nwant %s\n%s", c.Name, r.stdout, want, r.stderr)
		}
		n++
	}
	t.Logf("%d v0.2 verdicts through flk-pcs verify", n)
}

func TestErrorLines(t *testing.T) {
	files := map[string]string{"bad.json": `{"pcs_id":"x"}`, "notjson.json": "{", "dup.json": `{"D_hat":1,"D_hat":2}`, "nan.json": `{"D_hat":NaN}`}
	r := runCLI(t, []string{"canonical", "notjson.json", "missing.json", "dup.json", "nan.json", "-"}, nil, files, "[]")
	want := "flk: notjson.json: malformed:json\nflk: missing.json: no such file\nflk: dup.json: malformed:duplicate_key:D_hat\n" +
		"flk: nan.json: malformed:missing:pcs_id, malformed:missing:shard_id, malformed:missing:epoch, malformed:missing:coh_star, malformed:non_finite:D_hat, malformed:missing:r, malformed:missing:budget, malformed:missing:merkle_root\nflk: <stdin>: malformed:not_object\n"
	if r.code != 1 || r.stderr != want || r.stdout != "" {
		t.Errorf("%+v", r)
	}
	for args, line := range map[string]string{
		"":                         "flk: missing pcs command; see 'flk pcs --help'\n",
		"sign x":                   "flk: missing required option --alg hmac|ed25519 (or set PCS_SIGN_ALG); see 'flk pcs sign --help'\n",
		"verify --alg":             "flk: option '--alg <value>' needs a value; see 'flk pcs verify --help'\n",
		"verify --tol-d -1 x":      "flk: option '--tol-d' needs a value (for a value starting with '-', write --tol-d=VALUE); see 'flk pcs verify --help'\n",
		"verify --tol-d=-1 x":      "flk: --tol-d: expected a number >= 0, got '-1'; see 'flk pcs verify --help'\n",
		"sign --alg hmac x":        "flk: PCS_HMAC_KEY is not set (needed for hmac signatures)\n",
		"make --shard s --epoch 1": "flk: missing required option --seed; see 'flk pcs make --help'\n",
	} {
		argv := strings.Fields(args)
		r := runCLI(t, argv, nil, nil, "")
		if r.code != 2 || r.stderr != line {
			t.Errorf("%q: %d %q", args, r.code, r.stderr)
		}
	}
}

func TestMake(t *testing.T) {
	files := map[string]string{"p.jsonl": "[0.1,0.2]\n[0.3,0.4]\n[0.9,0.05]\n", "data.bin": strings.Repeat("abc", 100)}
	r := runCLI(t, []string{"make", "--shard", "s1", "--epoch", "1", "--seed", "7", "--points", "p.jsonl", "--data", "data.bin", "--sent-at", "2025-01-01T00:00:00Z", "--tenant", "acme", "--key-id", "acme-1", "--alg", "hmac"},
		map[string]string{"PCS_HMAC_KEY": "k"}, files, "")
	if r.code != 0 || !strings.Contains(r.stdout, `"version":"0.2"`) || !strings.Contains(r.stdout, `"tenant_id":"acme","key_id":"acme-1","sig":"`) {
		t.Fatalf("%+v", r)
	}
	files["rec.json"] = r.stdout
	ring := `{"keys":[{"key_id":"acme-1","tenant_id":"acme","alg":"hmac","secret":"k"}]}`
	files["ring.json"] = ring
	v := runCLI(t, []string{"verify", "--strict", "--now", "2025-01-01T00:01:00Z", "rec.json"}, map[string]string{"PCS_KEYRING_FILE": "ring.json"}, files, "")
	if v.code != 0 || !strings.Contains(v.stdout, `"status":"accepted"`) || !strings.Contains(v.stdout, `"signature_checked":true`) {
		t.Fatalf("%+v", v)
	}
}
