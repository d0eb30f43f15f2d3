// Checks FLK's audit-log proofs and checkpoints with code no one on FLK wrote:
// github.com/transparency-dev/merkle (RFC 6962 hasher, compact ranges, proof verifiers) and
// golang.org/x/mod/sumdb/note (signed-note verification). Input: the JSON that gen.ts prints,
// named by FLK_PEER_PROOFS; FLK_PEER_CLI_CHECKPOINT optionally names the output of
// `flk audit checkpoint` over the same log (verified with the same key).
package merkle

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

type inclusionJSON struct {
	LeafIndex uint64   `json:"leaf_index"`
	TreeSize  uint64   `json:"tree_size"`
	LeafHash  string   `json:"leaf_hash"`
	RootHash  string   `json:"root_hash"`
	Path      []string `json:"path"`
}

type consistencyJSON struct {
	First      uint64   `json:"first"`
	Second     uint64   `json:"second"`
	FirstRoot  string   `json:"first_root"`
	SecondRoot string   `json:"second_root"`
	Path       []string `json:"path"`
}

type fixture struct {
	Leaves      []string          `json:"leaves"`
	Roots       []string          `json:"roots"`
	Inclusion   []inclusionJSON   `json:"inclusion"`
	Consistency []consistencyJSON `json:"consistency"`
	Checkpoint  string            `json:"checkpoint"`
	VerifierKey string            `json:"verifier_key"`
}

func load(t *testing.T) *fixture {
	t.Helper()
	path := os.Getenv("FLK_PEER_PROOFS")
	if path == "" {
		t.Fatal("FLK_PEER_PROOFS is not set (run test/peers/merkle/test.sh)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 || hex.EncodeToString(b) != s {
		t.Fatalf("not 64 lowercase hex digits: %q", s)
	}
	return b
}

func unhexAll(t *testing.T, ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = unhex(t, s)
	}
	return out
}

// Roots of every prefix of the log, computed by transparency-dev's compact ranges from the raw lines.
func peerRoots(t *testing.T, f *fixture) ([][]byte, [][]byte) {
	h := rfc6962.DefaultHasher
	rf := compact.RangeFactory{Hash: h.HashChildren}
	r := rf.NewEmptyRange(0)
	roots := [][]byte{h.EmptyRoot()}
	leafHashes := make([][]byte, len(f.Leaves))
	for i, l := range f.Leaves {
		line, err := base64.StdEncoding.DecodeString(l)
		if err != nil {
			t.Fatal(err)
		}
		leafHashes[i] = h.HashLeaf(line)
		if err := r.Append(leafHashes[i], nil); err != nil {
			t.Fatal(err)
		}
		root, err := r.GetRootHash(nil)
		if err != nil {
			t.Fatal(err)
		}
		roots = append(roots, root)
	}
	return roots, leafHashes
}

func TestRootsMatchPeer(t *testing.T) {
	f := load(t)
	roots, _ := peerRoots(t, f)
	if len(f.Roots) != len(roots) {
		t.Fatalf("%d roots, want %d", len(f.Roots), len(roots))
	}
	for n := range roots {
		if !bytes.Equal(unhex(t, f.Roots[n]), roots[n]) {
			t.Fatalf("root of size %d: FLK %s, transparency-dev %x", n, f.Roots[n], roots[n])
		}
	}
}

func TestInclusionProofs(t *testing.T) {
	f := load(t)
	roots, leafHashes := peerRoots(t, f)
	sizes := map[uint64]bool{}
	for _, p := range f.Inclusion {
		sizes[p.TreeSize] = true
		if !bytes.Equal(unhex(t, p.LeafHash), leafHashes[p.LeafIndex]) {
			t.Fatalf("leaf %d: FLK leaf_hash %s, peer %x", p.LeafIndex, p.LeafHash, leafHashes[p.LeafIndex])
		}
		if !bytes.Equal(unhex(t, p.RootHash), roots[p.TreeSize]) {
			t.Fatalf("size %d: FLK root_hash differs from the peer's", p.TreeSize)
		}
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, p.LeafIndex, p.TreeSize, leafHashes[p.LeafIndex], unhexAll(t, p.Path), roots[p.TreeSize]); err != nil {
			t.Fatalf("inclusion %d in %d: %v", p.LeafIndex, p.TreeSize, err)
		}
	}
	for n := uint64(1); n <= 300; n++ {
		if !sizes[n] {
			t.Fatalf("no inclusion proof for size %d", n)
		}
	}
	t.Logf("%d inclusion proofs verified", len(f.Inclusion))
}

func TestConsistencyProofs(t *testing.T) {
	f := load(t)
	roots, _ := peerRoots(t, f)
	for _, p := range f.Consistency {
		if !bytes.Equal(unhex(t, p.FirstRoot), roots[p.First]) || !bytes.Equal(unhex(t, p.SecondRoot), roots[p.Second]) {
			t.Fatalf("consistency %d -> %d: FLK roots differ from the peer's", p.First, p.Second)
		}
		if err := proof.VerifyConsistency(rfc6962.DefaultHasher, p.First, p.Second, unhexAll(t, p.Path), roots[p.First], roots[p.Second]); err != nil {
			t.Fatalf("consistency %d -> %d: %v", p.First, p.Second, err)
		}
	}
	t.Logf("%d consistency proofs verified", len(f.Consistency))
}

func checkNote(t *testing.T, f *fixture, roots [][]byte, msg []byte) {
	t.Helper()
	v, err := note.NewVerifier(f.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		t.Fatalf("note.Open: %v\n%s", err, msg)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 {
		t.Fatalf("checkpoint text %q", n.Text)
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || size != uint64(len(f.Leaves)) {
		t.Fatalf("checkpoint size %q, log has %d lines", lines[1], len(f.Leaves))
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || !bytes.Equal(root, roots[size]) {
		t.Fatalf("checkpoint root %q is not the peer's root", lines[2])
	}
	// A re-signed or edited checkpoint must not open.
	tampered := bytes.Replace(msg, []byte("\n"+lines[1]+"\n"), []byte("\n"+strconv.FormatUint(size-1, 10)+"\n"), 1)
	if _, err := note.Open(tampered, note.VerifierList(v)); err == nil {
		t.Fatal("an edited checkpoint still opens")
	}
}

func TestCheckpointSignature(t *testing.T) {
	f := load(t)
	roots, _ := peerRoots(t, f)
	checkNote(t, f, roots, []byte(f.Checkpoint))
	if path := os.Getenv("FLK_PEER_CLI_CHECKPOINT"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checkNote(t, f, roots, b)
		t.Log("flk audit checkpoint output verified")
	}
}
