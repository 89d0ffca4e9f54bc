package videos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"os"

	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/app/imaging"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// Bounds on a custom thumbnail or preview (PeerTube: 8 MB, JPEG or PNG).
// The dimensions and colour model are read from the header before a pixel
// is decoded, so a small file claiming a huge image costs nothing; one
// that is decoded takes at most imaging.MaxDecodedBytes.
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
	ready, err := s.prepareImages(ctx, imgs...)
	if err != nil {
		return err
	}
	return s.storeImages(ctx, v, ready, true)
}

// readyImages are a video's new thumbnail and preview, as JPEG files;
// none when the request gave no image.
type readyImages struct{ thumb, preview []byte }

// prepareImages decodes and scales each image in turn (through the
// process-wide image gate, the large picture dropped before the next is
// decoded), so that a bad image is refused before anything is changed.
func (s *Service) prepareImages(ctx context.Context, imgs ...Image) (readyImages, error) {
	var ready readyImages
	for _, im := range imgs {
		if err := checkImageConfig(im); err != nil {
			return readyImages{}, err
		}
		scaled, err := s.imageGate().Cover(ctx, im.Data, imaging.Size{W: thumbW, H: thumbH}, imaging.Size{W: previewW, H: previewH})
		if errors.Is(err, imaging.ErrNotImage) || errors.Is(err, imaging.ErrTooLarge) {
			return readyImages{}, fieldErr(im.Field, "the image could not be read: %v", err)
		}
		if err != nil {
			return readyImages{}, fmt.Errorf("image %s: %w", im.Field, err)
		}
		var files [2][]byte
		for i, img := range scaled {
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
				return readyImages{}, fmt.Errorf("encode %s: %w", im.Field, err)
			}
			files[i] = buf.Bytes()
		}
		// One picture given serves for both; one of each, each for its own.
		switch {
		case im.Field == "previewfile":
			ready.preview = files[1]
			if ready.thumb == nil {
				ready.thumb = files[0]
			}
		default:
			ready.thumb = files[0]
			if ready.preview == nil {
				ready.preview = files[1]
			}
		}
	}
	return ready, nil
}

// storeImages writes prepared images as the video's thumbnail and preview;
// federate: remote servers are told (an Update, which makes them fetch
// the picture again).
func (s *Service) storeImages(ctx context.Context, v model.Video, ready readyImages, federate bool) error {
	if ready.thumb == nil {
		return nil
	}
	if err := os.MkdirAll(s.Layout.Video(v.UUID), 0o750); err != nil {
		return fmt.Errorf("folder of video %s: %w", v.UUID, err)
	}
	for _, out := range []struct {
		data []byte
		path string
	}{{ready.thumb, s.Layout.Thumbnail(v.UUID)}, {ready.preview, s.Layout.Preview(v.UUID)}} {
		if err := durable.WriteFile(out.path, out.data, 0o640); err != nil {
			return fmt.Errorf("write image of video %s: %w", v.UUID, err)
		}
	}
	// Marks the thumbnail as there, and as chosen: processing makes one
	// only for a video without.
	err := s.Store.WithTx(ctx, func(tx repo.Tx) error {
		if err := tx.Videos.SetThumbnail(ctx, v.ID); err != nil {
			return err
		}
		if !federate {
			return nil
		}
		return s.federate(ctx, tx, v, false)
	})
	if err != nil {
		return fmt.Errorf("thumbnail of video %s: %w", v.UUID, err)
	}
	s.Log.Info("custom thumbnail stored", "video", v.UUID)
	return nil
}

// imageGate is the process-wide gate the App gives (Images), or one of
// this service's own when none was given (tests).
func (s *Service) imageGate() *imaging.Gate {
	if s.Images != nil {
		return s.Images
	}
	s.ownGateOnce.Do(func() { s.ownGate = imaging.NewGate(1) })
	return s.ownGate
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
	cfg, err := imaging.ReadConfig(im.Data)
	if err != nil || (cfg.Format != "jpeg" && cfg.Format != "png") {
		return fieldErr(im.Field, "the image is not a JPEG or PNG file")
	}
	if cfg.Width > maxImageSide || cfg.Height > maxImageSide || cfg.Width*cfg.Height > maxImagePixels {
		return fieldErr(im.Field, "the image is %d×%d pixels: at most %d on a side", cfg.Width, cfg.Height, maxImageSide)
	}
	if cfg.Bytes > imaging.MaxDecodedBytes {
		return fieldErr(im.Field, "the image is %d×%d pixels of %d bytes each: at most %d MiB once decoded",
			cfg.Width, cfg.Height, cfg.Bytes/int64(cfg.Width*cfg.Height), imaging.MaxDecodedBytes>>20)
	}
	return nil
}
