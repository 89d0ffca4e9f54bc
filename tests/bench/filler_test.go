package bench

import "io"

// filler is an io.Reader of n zero bytes that holds none of them: the 2 GiB
// upload streams from it with a constant, small footprint in the client.
type filler struct{ left int64 }

func newFiller(n int64) *filler { return &filler{left: n} }

func (f *filler) Read(p []byte) (int, error) {
	if f.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > f.left {
		p = p[:f.left]
	}
	clear(p)
	f.left -= int64(len(p))
	return len(p), nil
}
