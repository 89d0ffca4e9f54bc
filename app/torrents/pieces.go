package torrents

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
)

// Pieces is what a torrent says of one file's content: its length, the
// piece length and each piece's SHA-1. They depend on the bytes alone, not
// on the video's title or the host it is served from, so they are what
// Cabane hashes once and stores; the torrent around them is built when
// asked (see Build).
type Pieces struct {
	Length      int64
	PieceLength int64
	Hashes      []byte // 20 bytes a piece
	// ModTime (Unix nanoseconds) and Length tell whether the stored
	// hashes still describe the file on disk.
	ModTime int64
}

// minPieceLength is create-torrent's floor (16 KiB, a BitTorrent block).
const minPieceLength = 16 << 10

// PieceLength is the piece length create-torrent (which PeerTube uses)
// picks for a file of size bytes: the power of two nearest to size/1024,
// at least 16 KiB. So a file gets about a thousand pieces, and the same
// pieces, hence the same info hash, as PeerTube would give it.
func PieceLength(size int64) int64 {
	if size < 1024 {
		return minPieceLength
	}
	// 2^round(log2(size/1024)): the exponent is floor(log2(x)+0.5),
	// which is floor(log2(x)) plus one when x ≥ 2^k·√2.
	x := float64(size) / 1024
	k := bits.Len64(uint64(x)) - 1
	if x >= float64(uint64(1)<<k)*1.4142135623730951 {
		k++
	}
	return max(minPieceLength, int64(1)<<k)
}

// HashFile reads the file at path once and returns its pieces.
func HashFile(ctx context.Context, path string) (Pieces, error) {
	f, err := os.Open(path)
	if err != nil {
		return Pieces{}, fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Pieces{}, fmt.Errorf("hash %s: %w", path, err)
	}
	p := Pieces{Length: st.Size(), PieceLength: PieceLength(st.Size()), ModTime: st.ModTime().UnixNano()}
	n := (p.Length + p.PieceLength - 1) / p.PieceLength
	p.Hashes = make([]byte, 0, n*sha1.Size)
	buf := make([]byte, p.PieceLength)
	for {
		if err := ctx.Err(); err != nil {
			return Pieces{}, err
		}
		m, err := io.ReadFull(f, buf)
		if m > 0 {
			sum := sha1.Sum(buf[:m])
			p.Hashes = append(p.Hashes, sum[:]...)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return Pieces{}, fmt.Errorf("hash %s: %w", path, err)
		}
	}
	if int64(len(p.Hashes)) != n*sha1.Size {
		return Pieces{}, fmt.Errorf("hash %s: it changed while being read", path)
	}
	return p, nil
}

// marshal and unmarshalPieces store Pieces as a bencoded dictionary.
func (p Pieces) marshal() []byte {
	b, _ := Encode(map[string]any{"length": p.Length, "piece length": p.PieceLength, "pieces": p.Hashes, "mtime": p.ModTime})
	return b
}

func unmarshalPieces(b []byte) (Pieces, error) {
	v, err := Decode(b)
	if err != nil {
		return Pieces{}, err
	}
	d, _ := v.(map[string]any)
	length, ok1 := d["length"].(int64)
	pl, ok2 := d["piece length"].(int64)
	hashes, ok3 := d["pieces"].(string)
	mtime, ok4 := d["mtime"].(int64)
	if !ok1 || !ok2 || !ok3 || !ok4 || pl <= 0 || length < 0 || int64(len(hashes)) != (length+pl-1)/pl*sha1.Size {
		return Pieces{}, fmt.Errorf("%w: not a pieces record", ErrSyntax)
	}
	return Pieces{Length: length, PieceLength: pl, Hashes: []byte(hashes), ModTime: mtime}, nil
}
