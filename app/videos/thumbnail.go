package videos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // PeerTube takes JPEG and PNG images
	"io"
	"os"

	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// Bounds on a custom thumbnail or preview (PeerTube: 8 MB, JPEG or PNG).
// The dimensions are read from the header before a pixel is decoded, so a
// small file claiming a huge image costs nothing.
const (
	MaxImageBytes  = 8 << 20
	maxImageSide   = 8000
	maxImagePixels = 40_000_000
)

// ErrBadImage wraps every reason an image is refused; the message is for
// the uploader.
var ErrBadImage = errors.New("image refused")

// PeerTube's sizes: a 280×157 card thumbnail and an 850×480 preview.
const (
	thumbW, thumbH     = 280, 157
	previewW, previewH = 850, 480
)

// Image is an uploaded image and the form field it came in.
type Image struct {
	Field string // "thumbnailfile" or "previewfile"
	Data  []byte
}

// ReadImage reads an uploaded image, at most MaxImageBytes.
func ReadImage(field string, r io.Reader) (Image, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxImageBytes+1))
	if err != nil {
		return Image{}, fmt.Errorf("read %s: %w", field, err)
	}
	if len(b) > MaxImageBytes {
		return Image{}, fieldErr(field, "the image is larger than %d MiB", MaxImageBytes>>20)
	}
	return Image{Field: field, Data: b}, nil
}

// SetImages replaces a video's thumbnail and preview with the images
// given, for its owner or an admin. A thumbnail alone makes the preview
// too, and the reverse, as one picture chosen for both; each is decoded,
// cropped to its size and written as a fresh JPEG, so that nothing of the
// uploaded file is ever served.
func (s *Service) SetImages(ctx context.Context, viewer visibility.Viewer, ref string, imgs ...Image) error {
	v, err := s.manageable(ctx, viewer, ref)
	if err != nil {
		return err
	}
	return s.setImages(ctx, v, imgs...)
}

func (s *Service) setImages(ctx context.Context, v model.Video, imgs ...Image) error {
	var thumb, preview image.Image
	for _, im := range imgs {
		decoded, err := decodeImage(im)
		if err != nil {
			return err
		}
		switch im.Field {
		case "previewfile":
			preview = decoded
		default:
			thumb = decoded
		}
	}
	if thumb == nil && preview == nil {
		return nil
	}
	if thumb == nil {
		thumb = preview
	}
	if preview == nil {
		preview = thumb
	}
	if err := os.MkdirAll(s.Layout.Video(v.UUID), 0o750); err != nil {
		return fmt.Errorf("folder of video %s: %w", v.UUID, err)
	}
	for _, out := range []struct {
		img  image.Image
		w, h int
		path string
	}{{thumb, thumbW, thumbH, s.Layout.Thumbnail(v.UUID)}, {preview, previewW, previewH, s.Layout.Preview(v.UUID)}} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, cover(out.img, out.w, out.h), &jpeg.Options{Quality: 85}); err != nil {
			return fmt.Errorf("encode image of video %s: %w", v.UUID, err)
		}
		if err := durable.WriteFile(out.path, buf.Bytes(), 0o640); err != nil {
			return fmt.Errorf("write image of video %s: %w", v.UUID, err)
		}
	}
	// Marks the thumbnail as there, and as chosen: processing makes one
	// only for a video without.
	if err := s.Store.Videos.SetThumbnail(ctx, v.ID); err != nil {
		return fmt.Errorf("thumbnail of video %s: %w", v.UUID, err)
	}
	s.Log.Info("custom thumbnail stored", "video", v.UUID)
	return nil
}

// CheckImages refuses, before an upload is stored, images that SetImages
// would refuse: not JPEG or PNG, or too large. Only headers are read.
func CheckImages(imgs ...Image) error {
	for _, im := range imgs {
		if err := checkImageConfig(im); err != nil {
			return err
		}
	}
	return nil
}

func checkImageConfig(im Image) error {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(im.Data))
	if err != nil {
		return fieldErr(im.Field, "the image is not a JPEG or PNG file")
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxImageSide || cfg.Height > maxImageSide || cfg.Width*cfg.Height > maxImagePixels {
		return fieldErr(im.Field, "the image is %d×%d pixels: at most %d on a side", cfg.Width, cfg.Height, maxImageSide)
	}
	return nil
}

func decodeImage(im Image) (image.Image, error) {
	if err := checkImageConfig(im); err != nil {
		return nil, err
	}
	img, format, err := image.Decode(bytes.NewReader(im.Data))
	if err != nil {
		return nil, fieldErr(im.Field, "the %s image could not be read: %v", format, err)
	}
	return img, nil
}

// cover scales src to fill w×h, cropping what overflows (centred), by
// averaging the source pixels that fall in each output pixel.
func cover(src image.Image, w, h int) image.Image {
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
		for x := 0; x < w; x++ {
			sx0, sx1 := x0+x*cw/w, x0+max((x+1)*cw/w, x*cw/w+1)
			var r, g, bl, n uint64
			for sy := sy0; sy < sy1; sy++ {
				for sx := sx0; sx < sx1; sx++ {
					cr, cg, cb, _ := src.At(sx, sy).RGBA()
					r, g, bl, n = r+uint64(cr), g+uint64(cg), bl+uint64(cb), n+1
				}
			}
			dst.Set(x, y, color.RGBA64{uint16(r / n), uint16(g / n), uint16(bl / n), 0xffff})
		}
	}
	return dst
}
