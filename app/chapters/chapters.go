// Package chapters keeps videos' chapters (PeerTube 6.0's API): named
// points of a video, shown on the player's timeline and as a WebVTT
// "chapters" track.
package chapters

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"cabane.dev/cabane/app/captions"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// Videos is what chapters need of the videos service.
type Videos interface {
	Get(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error)
}

// Service reads and replaces chapters.
type Service struct {
	Store  repo.Chapters
	Videos Videos
	Log    *slog.Logger
}

// ErrForbidden refuses a change by someone who sees the video but does not
// manage it.
var ErrForbidden = errors.New("you cannot manage the chapters of this video")

// FieldError is a refused chapter list, naming PeerTube's field.
type FieldError struct{ Field, Msg string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// PeerTube's CONSTRAINTS_FIELDS.VIDEO_CHAPTERS.TITLE; it does not bound
// the number of chapters, Cabane does (a page shows each of them).
const (
	minTitleRunes = 1
	maxTitleRunes = 100
	maxChapters   = 500
)

// List is the video's chapters in time order, for whoever may see it.
func (s *Service) List(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, []model.Chapter, error) {
	v, err := s.Videos.Get(ctx, viewer, ref)
	if err != nil {
		return v, nil, err
	}
	cs, err := s.Store.Chapters(ctx, v.ID)
	return v, cs, err
}

// Check validates a chapter list as PeerTube does (a title of 1 to 100
// characters, a whole non-negative timecode, no timecode twice) and, when
// the video's duration is known, refuses a chapter after its end. It
// returns the list in time order.
func Check(cs []model.Chapter, duration time.Duration) ([]model.Chapter, error) {
	if len(cs) > maxChapters {
		return nil, &FieldError{"chapters", fmt.Sprintf("a video has at most %d chapters", maxChapters)}
	}
	out := make([]model.Chapter, 0, len(cs))
	for _, c := range cs {
		c.Title = strings.TrimSpace(c.Title)
		if !utf8.ValidString(c.Title) || strings.ContainsAny(c.Title, "\n\r\x00") {
			return nil, &FieldError{"chapters", "a chapter title must be one line of UTF-8 text"}
		}
		if n := utf8.RuneCountInString(c.Title); n < minTitleRunes || n > maxTitleRunes {
			return nil, &FieldError{"chapters", fmt.Sprintf("each chapter title must be %d to %d characters", minTitleRunes, maxTitleRunes)}
		}
		if c.Timecode < 0 {
			return nil, &FieldError{"chapters", "a chapter timecode is a number of seconds from 0"}
		}
		if duration > 0 && time.Duration(c.Timecode)*time.Second >= duration {
			return nil, &FieldError{"chapters", fmt.Sprintf("the chapter %q starts at %ds, after the video's end (%ds)", c.Title, c.Timecode, int(duration.Seconds()))}
		}
		if slices.ContainsFunc(out, func(o model.Chapter) bool { return o.Timecode == c.Timecode }) {
			return nil, &FieldError{"chapters", "chapter timecodes must be unique"}
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b model.Chapter) int { return a.Timecode - b.Timecode })
	return out, nil
}

// Replace sets the video's chapters, for its owner or an admin.
func (s *Service) Replace(ctx context.Context, viewer visibility.Viewer, ref string, cs []model.Chapter) error {
	v, err := s.Videos.Get(ctx, viewer, ref)
	if err != nil {
		return err
	}
	if !visibility.Edit(viewer, v) {
		return ErrForbidden
	}
	clean, err := Check(cs, v.Duration)
	if err != nil {
		return err
	}
	if err := s.Store.ReplaceChapters(ctx, v.ID, clean); err != nil {
		return err
	}
	s.Log.Info("chapters replaced", "video", v.UUID, "count", len(clean))
	return nil
}

// VTT writes chapters as a WebVTT "chapters" track: each chapter lasts
// until the next one, the last until the video's end.
func VTT(cs []model.Chapter, duration time.Duration) []byte {
	var b strings.Builder
	b.WriteString("WEBVTT\n")
	end := duration.Milliseconds()
	for i, c := range cs {
		start := int64(c.Timecode) * 1000
		stop := end
		if i+1 < len(cs) {
			stop = int64(cs[i+1].Timecode) * 1000
		}
		if stop <= start {
			stop = start + 1000
		}
		fmt.Fprintf(&b, "\n%d\n%s --> %s\n%s\n", i+1, captions.Timestamp(start), captions.Timestamp(stop), escape(c.Title))
	}
	return []byte(b.String())
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "-->", "--&gt;")

func escape(s string) string { return escaper.Replace(s) }
