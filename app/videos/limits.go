package videos

import (
	"fmt"
	"time"

	"cabane.dev/cabane/app/media"
)

// checkLimits refuses, before anything is stored or encoded, an upload that
// would hold the box: too long, too large a picture, too high a frame rate
// (s.Limits; zero fields are no limit). The message names the limit and
// the file's value, for the uploader.
func (s *Service) checkLimits(info *media.Info, name string) error {
	l := s.Limits
	if l.MaxDuration > 0 && info.Duration > l.MaxDuration {
		return fmt.Errorf("%w: %s lasts %s; this box accepts videos up to %s long", ErrBadUpload, name,
			words(info.Duration), words(l.MaxDuration))
	}
	v := info.Video
	if v == nil {
		return nil
	}
	if (l.MaxVideoWidth > 0 && v.Width > l.MaxVideoWidth) || (l.MaxVideoHeight > 0 && v.Height > l.MaxVideoHeight) {
		return fmt.Errorf("%w: %s is %d×%d pixels; this box accepts pictures up to %d×%d", ErrBadUpload, name,
			v.Width, v.Height, l.MaxVideoWidth, l.MaxVideoHeight)
	}
	if l.MaxFPS > 0 && v.FPS > l.MaxFPS {
		return fmt.Errorf("%w: %s has %.4g frames per second; this box accepts up to %.4g", ErrBadUpload, name, v.FPS, l.MaxFPS)
	}
	return nil
}

// words says a duration as a person would: "10 h 0 min", "45 min 10 s".
func words(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, sec := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%d h %d min", h, m)
	case m > 0:
		return fmt.Sprintf("%d min %d s", m, sec)
	}
	return fmt.Sprintf("%d s", sec)
}
