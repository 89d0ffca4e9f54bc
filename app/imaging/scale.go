package imaging

import (
	"image"
	"image/color"
)

// cover scales src to fill w×h, cropping what overflows (centred), each
// output pixel the average of the source pixels it covers (so downscaling
// does not alias), transparent pixels over white.
//
// Pixels are read through RGBA64At, which every standard image type has
// and which returns a plain value: At would box each of tens of millions
// of pixels in an interface, one allocation each.
func cover(src image.Image, w, h int) *image.RGBA {
	px, ok := src.(image.RGBA64Image)
	if !ok {
		px = rgba64Of{src}
	}
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	// The source rectangle with the output's aspect ratio.
	cw, ch := sw, sw*h/w
	if ch > sh {
		cw, ch = sh*w/h, sh
	}
	cw, ch = max(cw, 1), max(ch, 1)
	x0, y0 := b.Min.X+(sw-cw)/2, b.Min.Y+(sh-ch)/2
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		sy0, sy1 := y0+y*ch/h, y0+max((y+1)*ch/h, y*ch/h+1)
		row := dst.Pix[y*dst.Stride:]
		for x := 0; x < w; x++ {
			sx0, sx1 := x0+x*cw/w, x0+max((x+1)*cw/w, x*cw/w+1)
			var r, g, bl, n uint64
			for sy := sy0; sy < sy1; sy++ {
				for sx := sx0; sx < sx1; sx++ {
					c := px.RGBA64At(sx, sy)
					white := uint64(0xffff - c.A) // premultiplied: add the white behind
					r, g, bl, n = r+uint64(c.R)+white, g+uint64(c.G)+white, bl+uint64(c.B)+white, n+1
				}
			}
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = uint8(r/n>>8), uint8(g/n>>8), uint8(bl/n>>8), 0xff
		}
	}
	return dst
}

// rgba64Of reads an image type without RGBA64At (none of the standard
// decoders make one) through At.
type rgba64Of struct{ image.Image }

func (i rgba64Of) RGBA64At(x, y int) color.RGBA64 {
	r, g, b, a := i.At(x, y).RGBA()
	return color.RGBA64{uint16(r), uint16(g), uint16(b), uint16(a)}
}
