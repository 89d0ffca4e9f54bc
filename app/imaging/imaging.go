// Package imaging turns uploaded pictures (thumbnails, previews, avatars)
// into small RGBA images, within a memory bound a Raspberry Pi can afford.
//
// A compressed picture says little about what decoding it costs: a 313 KB
// PNG of zeros can claim 8000×5000 16-bit pixels, 305 MiB once decoded.
// So the header's size and colour model are checked against
// MaxDecodedBytes before a pixel is decoded, every decode runs behind one
// process-wide Gate, and each picture is scaled down (and the large one
// dropped) before the next is decoded.
package imaging

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // the decoders uploads may use
	_ "image/jpeg"
	_ "image/png"
)

// MaxDecodedBytes bounds one decoded picture's pixels in memory.
const MaxDecodedBytes = 64 << 20

var (
	// ErrNotImage: not a picture this package decodes, or a broken one.
	ErrNotImage = errors.New("not a JPEG, PNG or GIF image")
	// ErrTooLarge: the picture would take more than MaxDecodedBytes (or
	// the caller's bound on its sides) once decoded.
	ErrTooLarge = errors.New("the image has too many pixels")
)

// Config reads a picture's header only: its size, format and what its
// pixels would cost in memory once decoded.
type Config struct {
	Width, Height int
	Format        string
	Bytes         int64 // decoded size, as the decoder's colour model stores it
}

// ReadConfig reads data's header; it decodes no pixel.
func ReadConfig(data []byte) (Config, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Config{}, fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	if cfg.Width < 1 || cfg.Height < 1 {
		return Config{}, fmt.Errorf("%w: %d×%d pixels", ErrNotImage, cfg.Width, cfg.Height)
	}
	return Config{Width: cfg.Width, Height: cfg.Height, Format: format,
		Bytes: int64(cfg.Width) * int64(cfg.Height) * bytesPerPixel(cfg.ColorModel)}, nil
}

// bytesPerPixel is what the standard decoders allocate per pixel for a
// colour model (rounded up; an unknown model counts as the widest).
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3 // 4:4:4; subsampled JPEGs take less
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// Gate lets a bounded number of pictures be decoded at once, for the whole
// process: parallel uploads wait their turn instead of multiplying the
// memory a decode takes.
type Gate struct{ slots chan struct{} }

// NewGate returns a gate of n slots (at least one).
func NewGate(n int) *Gate { return &Gate{slots: make(chan struct{}, max(n, 1))} }

// Size is one wanted output: the picture is cropped (centred) to W:H and
// scaled to W×H.
type Size struct{ W, H int }

// Cover decodes data, once its header shows at most MaxDecodedBytes of
// pixels, and returns it cropped and scaled to each size, transparent
// pixels over white (the outputs become JPEGs). The decoded picture is
// dropped before Cover returns, and the gate is held only meanwhile.
func (g *Gate) Cover(ctx context.Context, data []byte, sizes ...Size) ([]*image.RGBA, error) {
	cfg, err := ReadConfig(data)
	if err != nil {
		return nil, err
	}
	if cfg.Bytes > MaxDecodedBytes {
		return nil, fmt.Errorf("%w: %d×%d pixels would take %d MiB (at most %d)", ErrTooLarge,
			cfg.Width, cfg.Height, cfg.Bytes>>20, MaxDecodedBytes>>20)
	}
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait to decode an image: %w", ctx.Err())
	}
	defer func() { <-g.slots }()
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, fmt.Errorf("%w: the header says %d×%d, the pixels %d×%d", ErrNotImage, cfg.Width, cfg.Height, b.Dx(), b.Dy())
	}
	out := make([]*image.RGBA, len(sizes))
	for i, sz := range sizes {
		out[i] = cover(img, max(sz.W, 1), max(sz.H, 1))
	}
	return out, nil
}
