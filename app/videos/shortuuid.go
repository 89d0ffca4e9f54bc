package videos

import (
	"math/big"

	"github.com/google/uuid"
)

// PeerTube's short UUIDs are the UUID's 128 bits in base 58 (the flickr
// alphabet), as its /w/<shortUUID> links show.
const base58 = "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"

// ShortUUID encodes a UUID as PeerTube does.
func ShortUUID(id uuid.UUID) string {
	n := new(big.Int).SetBytes(id[:])
	base := big.NewInt(58)
	mod := new(big.Int)
	var out []byte
	for n.Sign() > 0 {
		n.DivMod(n, base, mod)
		out = append(out, base58[mod.Int64()])
	}
	// short-uuid pads to a constant 22 characters with the alphabet's first.
	for len(out) < 22 {
		out = append(out, base58[0])
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}
