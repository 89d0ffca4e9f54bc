package imaging

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"runtime"
	"testing"
	"time"
)

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The reviewer's picture: an all-zero 8000×5000 16-bit PNG, a few hundred
// KB that would decode to 305 MiB. It is refused from its header: the
// allocation while refusing it stays tiny.
func TestSixteenBitBombRefusedFromItsHeader(t *testing.T) {
	bomb := encodePNG(t, image.NewRGBA64(image.Rect(0, 0, 8000, 5000)))
	t.Logf("bomb: %d KB", len(bomb)>>10)
	cfg, err := ReadConfig(bomb)
	if err != nil || cfg.Bytes != 8000*5000*8 {
		t.Fatalf("config: %+v %v, want %d bytes decoded", cfg, err, 8000*5000*8)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = NewGate(1).Cover(context.Background(), bomb, Size{W: 280, H: 157})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Cover: %v, want ErrTooLarge", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("refusing the bomb allocated %d KB", got>>10)
	}
	// The same size at 8 bits a channel and gray fits, and is decoded.
	gray := encodePNG(t, image.NewGray(image.Rect(0, 0, 8000, 5000)))
	if _, err := NewGate(1).Cover(context.Background(), gray, Size{W: 28, H: 16}); err != nil {
		t.Errorf("40 MB gray: %v", err)
	}
}

// Scaling reads pixels without an allocation each: a 2000×2000 16-bit
// picture (4 million pixels) is scaled with a handful of allocations.
func TestCoverDoesNotAllocatePerPixel(t *testing.T) {
	src := image.NewNRGBA64(image.Rect(0, 0, 2000, 2000))
	allocs := testing.AllocsPerRun(2, func() { cover(src, 850, 480) })
	if allocs > 10 {
		t.Errorf("cover allocated %v times", allocs)
	}
}

// The colours survive: red stays red, and transparent becomes white.
func TestCoverColours(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 400, 200))
	for y := range 200 {
		for x := range 400 {
			if x < 200 {
				src.Set(x, y, color.NRGBA{200, 30, 30, 255})
			} // the right half stays transparent
		}
	}
	out, err := NewGate(1).Cover(context.Background(), encodePNG(t, src), Size{W: 40, H: 20}, Size{W: 10, H: 10})
	if err != nil {
		t.Fatal(err)
	}
	if b := out[0].Bounds(); b.Dx() != 40 || b.Dy() != 20 {
		t.Fatalf("size %v", b)
	}
	if b := out[1].Bounds(); b.Dx() != 10 || b.Dy() != 10 {
		t.Fatalf("square size %v", b)
	}
	if c := out[0].RGBAAt(5, 5); c != (color.RGBA{200, 30, 30, 255}) {
		t.Errorf("left: %v, want the red", c)
	}
	if c := out[0].RGBAAt(35, 5); c != (color.RGBA{255, 255, 255, 255}) {
		t.Errorf("right: %v, want white", c)
	}
	if _, err := NewGate(1).Cover(context.Background(), []byte("<svg onload=alert(1)>")); !errors.Is(err, ErrNotImage) {
		t.Errorf("svg: %v", err)
	}
}

// While the gate's slot is taken, another decode waits, and gives up
// when its request is cancelled.
func TestGateBoundsParallelDecodes(t *testing.T) {
	g := NewGate(1)
	g.slots <- struct{}{} // one decode in progress
	small := encodePNG(t, image.NewGray(image.Rect(0, 0, 10, 10)))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := g.Cover(ctx, small, Size{W: 5, H: 5}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second decode while the slot is taken: %v", err)
	}
	<-g.slots
	if _, err := g.Cover(context.Background(), small, Size{W: 5, H: 5}); err != nil {
		t.Fatalf("after the slot is free: %v", err)
	}
}
