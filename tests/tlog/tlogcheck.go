// tlogcheck reads a Vigil hub's audit ledger as a third-party monitor does, with nothing but the
// reference transparency-log code (golang.org/x/mod/sumdb/note and tlog, Debian's
// golang-golang-x-mod-dev) and the log's C2SP parameters: its URL prefix, its origin and its
// Ed25519 public key. It shares no code with Vigil.
//
//	tlogcheck -prefix https://localhost:8443/ledger/ward7/ -origin localhost/ledger/ward7 \
//	  -key BASE64_PUBLIC_KEY -cafile ca.crt [-old-size N -old-root BASE64]
//
// It builds the note verifier from the origin and the key alone, opens the checkpoint, reads
// the C2SP tlog-tiles needed to recompute the root, checks every entry bundle against the
// level-0 tiles, proves a sample of entries included and, given an older tree, proves
// consistency with it. Prints "ok <size> <root>"; any failure exits 1 naming it.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type tiles struct {
	prefix string
	client *http.Client
	hits   int
}

func (t *tiles) get(path string) ([]byte, error) {
	resp, err := t.client.Get(t.prefix + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	t.hits++
	return body, nil
}

// c2spPath is the tlog-tiles path of a tile: x/mod writes tile/H/L/N (H the height, here 8,
// L -1 for entries as "data"); C2SP fixes the height and drops it.
func c2spPath(tile tlog.Tile) string {
	p := strings.TrimPrefix(tile.Path(), "tile/8/")
	if strings.HasPrefix(p, "data/") {
		return "tile/entries/" + strings.TrimPrefix(p, "data/")
	}
	return "tile/" + p
}

func (t *tiles) Height() int { return 8 }

func (t *tiles) ReadTiles(list []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(list))
	for i, tile := range list {
		data, err := t.get(c2spPath(tile))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (t *tiles) SaveTiles([]tlog.Tile, [][]byte) {}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlogcheck: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	prefix := flag.String("prefix", "", "the log's URL prefix, ending in /")
	origin := flag.String("origin", "", "the log's origin (its checkpoints' first line)")
	keyB64 := flag.String("key", "", "the log's Ed25519 public key, base64")
	cafile := flag.String("cafile", "", "the CA that issued the server's certificate")
	oldSize := flag.Int64("old-size", 0, "an older tree size to prove consistency with")
	oldRoot := flag.String("old-root", "", "that tree's root, base64")
	flag.Parse()

	key, err := base64.StdEncoding.DecodeString(*keyB64)
	if err != nil || len(key) != ed25519.PublicKeySize {
		fail("-key is not a base64 Ed25519 public key")
	}
	vkey, err := note.NewEd25519VerifierKey(*origin, ed25519.PublicKey(key))
	if err != nil {
		fail("verifier key: %v", err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		fail("verifier: %v", err)
	}
	pool := x509.NewCertPool()
	if pem, err := os.ReadFile(*cafile); err != nil || !pool.AppendCertsFromPEM(pem) {
		fail("cannot read -cafile %s", *cafile)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	reader := &tiles{prefix: *prefix, client: client}

	msg, err := reader.get("checkpoint")
	if err != nil {
		fail("%v", err)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint does not verify with a verifier built from origin and key: %v", err)
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 || lines[0] != *origin {
		fail("checkpoint origin %q is not %q", lines[0], *origin)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size <= 0 {
		fail("checkpoint size %q", lines[1])
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rootBytes) != tlog.HashSize {
		fail("checkpoint root %q", lines[2])
	}
	var tree tlog.Tree
	tree.N = size
	copy(tree.Hash[:], rootBytes)

	hashes := tlog.TileHashReader(tree, reader)
	root, err := tlog.TreeHash(size, hashes)
	if err != nil {
		fail("tree hash from tiles: %v", err)
	}
	if root != tree.Hash {
		fail("the tiles' root %v is not the checkpoint's %v", root, tree.Hash)
	}

	// Every entry bundle: each entry hashes to its level-0 tile's hash.
	for start := int64(0); start < size; start += 256 {
		width := size - start
		if width > 256 {
			width = 256
		}
		bundle := tlog.Tile{H: 8, L: -1, N: start / 256, W: int(width)}
		data, err := reader.get(c2spPath(bundle))
		if err != nil {
			fail("entry bundle: %v", err)
		}
		level0, err := reader.get(c2spPath(tlog.Tile{H: 8, L: 0, N: start / 256, W: int(width)}))
		if err != nil {
			fail("level-0 tile: %v", err)
		}
		for i := int64(0); i < width; i++ {
			if len(data) < 2 {
				fail("entry bundle %d is short", start/256)
			}
			length := int(binary.BigEndian.Uint16(data))
			if len(data) < 2+length {
				fail("entry bundle %d is short", start/256)
			}
			leaf := tlog.RecordHash(data[2 : 2+length])
			data = data[2+length:]
			if !bytes.Equal(leaf[:], level0[i*32:(i+1)*32]) {
				fail("entry %d of the bundle does not hash to its leaf", start+i)
			}
			if i%97 == 0 || start+i == size-1 {
				proof, err := tlog.ProveRecord(size, start+i, hashes)
				if err != nil {
					fail("inclusion proof of %d: %v", start+i, err)
				}
				if err := tlog.CheckRecord(proof, size, tree.Hash, start+i, leaf); err != nil {
					fail("inclusion of %d: %v", start+i, err)
				}
			}
		}
		if len(data) != 0 {
			fail("entry bundle %d has trailing bytes", start/256)
		}
	}

	if *oldSize > 0 {
		old, err := base64.StdEncoding.DecodeString(*oldRoot)
		if err != nil || len(old) != tlog.HashSize {
			fail("-old-root")
		}
		var oldHash tlog.Hash
		copy(oldHash[:], old)
		proof, err := tlog.ProveTree(size, *oldSize, hashes)
		if err != nil {
			fail("consistency proof: %v", err)
		}
		if err := tlog.CheckTree(proof, size, tree.Hash, *oldSize, oldHash); err != nil {
			fail("the log is not consistent with the older tree: %v", err)
		}
	}
	fmt.Printf("ok %d %s (%d resources read)\n", size, base64.StdEncoding.EncodeToString(tree.Hash[:]), reader.hits)
}
