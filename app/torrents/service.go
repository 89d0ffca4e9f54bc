// Package torrents makes the BitTorrent metainfo PeerTube publishes for
// every video file (its torrentUrl, torrentDownloadUrl and magnetUri):
// one torrent per rendition's fragmented MP4, with the file's URL as web
// seed. A file's pieces are hashed once, when it is published (and for
// older videos at start), and stored beside the video; the torrent
// around them is built on request, because its name follows the title
// and its web seed the host the viewer reached.
package torrents

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/hardware"
)

// Service hashes published files and builds their torrents.
type Service struct {
	Layout config.Layout
	Videos *videos.Service
	Log    *slog.Logger
	// Muxer makes the web video files of renditions whose sound is the
	// shared audio rendition (feeds.Service); nil: no such torrents.
	Muxer Muxer

	mu        sync.Mutex
	inflight  map[string]*hashing // file path → the hashing under way
	webMaking map[string]bool     // videos whose web video files are being made

	derived derivedCache // what each published file gives (derived.go)
}

// Muxer is feeds.Service's Muxed: rendition r's picture and the shared
// audio in one MP4, made once and kept.
type Muxer interface {
	Muxed(ctx context.Context, uuid string, rs []model.Rendition, r model.Rendition) (path string, size int64, ok bool, err error)
	MuxedIfMade(uuid string, rs []model.Rendition, r model.Rendition) (path string, size int64, split, made bool)
}

type hashing struct {
	done chan struct{}
	p    Pieces
	err  error
}

// Pieces returns the pieces of file (a name in the video's hls/ folder),
// from its record when that still matches the file, else by hashing it
// now and recording the result durably. Concurrent callers for one file
// share one hashing.
func (s *Service) Pieces(ctx context.Context, uuid, file string) (Pieces, error) {
	// The records live beside the video's media (config.Layout.Torrents):
	// deleting or backing up a video takes them along.
	return s.piecesAt(ctx, s.Layout.HLSFile(uuid, file), s.Layout.PieceRecord(uuid, file))
}

// piecesAt is Pieces of the file at path, recorded at record.
func (s *Service) piecesAt(ctx context.Context, path, record string) (Pieces, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Pieces{}, fmt.Errorf("torrent of %s: %w", filepath.Base(path), err)
	}
	if b, err := os.ReadFile(record); err == nil {
		if p, err := unmarshalPieces(b); err == nil && p.Length == st.Size() && p.ModTime == st.ModTime().UnixNano() {
			return p, nil
		}
	}
	s.mu.Lock()
	if s.inflight == nil {
		s.inflight = map[string]*hashing{}
	}
	h, running := s.inflight[path]
	if !running {
		h = &hashing{done: make(chan struct{})}
		s.inflight[path] = h
	}
	s.mu.Unlock()
	if running {
		select {
		case <-h.done:
			return h.p, h.err
		case <-ctx.Done():
			return Pieces{}, ctx.Err()
		}
	}
	// The hashing outlives one impatient caller: others wait on it.
	h.p, h.err = s.hash(context.WithoutCancel(ctx), path, record)
	s.mu.Lock()
	delete(s.inflight, path)
	s.mu.Unlock()
	close(h.done)
	return h.p, h.err
}

func (s *Service) hash(ctx context.Context, path, record string) (Pieces, error) {
	p, err := HashFile(ctx, path)
	if err != nil {
		return Pieces{}, err
	}
	if err := os.MkdirAll(filepath.Dir(record), 0o750); err != nil {
		return Pieces{}, fmt.Errorf("torrent record: %w", err)
	}
	if err := durable.WriteFile(record, p.marshal(), 0o640); err != nil {
		return Pieces{}, fmt.Errorf("torrent record %s: %w", record, err)
	}
	return p, nil
}

// Describe is rendition r of v as a torrent, its web seed made absolute
// with u. Its pieces are hashed now if they were not yet.
func (s *Service) Describe(ctx context.Context, u uris.Builder, v model.Video, r model.Rendition) (File, error) {
	f, _, err := s.describe(ctx, u, v, r)
	return f, err
}

// describe is Describe with the cache entry f comes from.
func (s *Service) describe(ctx context.Context, u uris.Builder, v model.Video, r model.Rendition) (File, *derived, error) {
	file := hardware.FragmentedName(v.UUID, r.Name)
	f, d, err := s.describeAt(ctx, v.UUID, file, s.Layout.HLSFile(v.UUID, file), s.Layout.PieceRecord(v.UUID, file))
	if err != nil {
		return File{}, nil, err
	}
	f.Name = InfoName(v.Name, hardware.Resolution(r.Name), ".mp4")
	// PeerTube's hasPrivateStaticPath: a private, internal or
	// password-protected video's files need a token no web seed can send.
	if visibility.SharedCache(v) {
		f.WebSeed = u.Abs(uris.HLSFile(v.UUID, file))
	}
	f.infoHash, f.infoName = s.derived.infoHash(d, f), f.Name
	return f, d, nil
}

// describeAt is the pieces of the file at path (recorded at record), from
// the cache while the file is the one they were hashed from.
func (s *Service) describeAt(ctx context.Context, uuid, name, path, record string) (File, *derived, error) {
	key := derivedKey(uuid, name)
	st, err := os.Stat(path)
	if err != nil {
		s.derived.forget(key)
		return File{}, nil, fmt.Errorf("torrent of %s: %w", name, err)
	}
	id := identity(st)
	d, ok := s.derived.get(key, id)
	if !ok {
		p, err := s.piecesAt(ctx, path, record)
		if err != nil {
			return File{}, nil, err
		}
		if id.matches(p) {
			d = s.derived.put(key, id, p)
		} else {
			// The file changed since the stat (a re-encode landing): what
			// was hashed is served, and nothing is kept.
			d = &derived{key: key, p: p}
		}
	}
	return File{Pieces: d.p}, d, nil
}

// DescribeWeb is the web video file of rendition r of v (the picture and
// the shared audio in one MP4, feeds.Service.Muxed) as a torrent; ok is
// false when r has no such file of its own (its HLS file, Describe, is
// whole). The file is made now if it was not yet.
func (s *Service) DescribeWeb(ctx context.Context, u uris.Builder, v model.Video, rs []model.Rendition, r model.Rendition) (File, bool, error) {
	f, _, ok, err := s.describeWeb(ctx, u, v, rs, r)
	return f, ok, err
}

// DescribeWebIfMade is DescribeWeb for a file already made: made is false
// (and the making is started in the background) when it is not yet, so
// that an API answer never waits for ffmpeg: publication makes them, and
// this catches up videos from before web video files existed.
func (s *Service) DescribeWebIfMade(ctx context.Context, u uris.Builder, v model.Video, rs []model.Rendition, r model.Rendition) (f File, split, made bool, err error) {
	if s.Muxer == nil {
		return File{}, false, false, nil
	}
	if _, _, split, made = s.Muxer.MuxedIfMade(v.UUID, rs, r); !split {
		return File{}, false, false, nil
	}
	if !made {
		s.makeWebVideosLater(ctx, v.UUID)
		return File{}, true, false, nil
	}
	f, _, _, err = s.describeWeb(ctx, u, v, rs, r)
	return f, true, err == nil, err
}

// makeWebVideosLater makes a video's web video files in the background,
// once at a time per video.
func (s *Service) makeWebVideosLater(ctx context.Context, uuid string) {
	s.mu.Lock()
	if s.webMaking == nil {
		s.webMaking = map[string]bool{}
	}
	if s.webMaking[uuid] {
		s.mu.Unlock()
		return
	}
	s.webMaking[uuid] = true
	s.mu.Unlock()
	go func() {
		defer func() {
			s.mu.Lock()
			delete(s.webMaking, uuid)
			s.mu.Unlock()
		}()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Minute)
		defer cancel()
		if err := s.webVideos(ctx, uuid, nil); err != nil {
			s.Log.Warn("make a video's web video files", "video", uuid, "err", err)
		}
	}()
}

func (s *Service) describeWeb(ctx context.Context, u uris.Builder, v model.Video, rs []model.Rendition, r model.Rendition) (File, *derived, bool, error) {
	if s.Muxer == nil {
		return File{}, nil, false, nil
	}
	path, _, ok, err := s.Muxer.Muxed(ctx, v.UUID, rs, r)
	if !ok || err != nil {
		return File{}, nil, ok, err
	}
	// Beside the HLS files' records, under another name: the muxed file
	// has the same base name as the rendition's.
	name := "web-" + filepath.Base(path)
	f, d, err := s.describeAt(ctx, v.UUID, name, path, s.Layout.PieceRecord(v.UUID, name))
	if err != nil {
		return File{}, nil, true, err
	}
	res := hardware.Resolution(r.Name)
	f.Name = InfoName(v.Name, res, ".mp4")
	if visibility.SharedCache(v) {
		n, _ := strconv.Atoi(res)
		f.WebSeed = u.Abs(uris.WebVideo(uris.WebVideoName(v.UUID, n)))
	}
	f.infoHash, f.infoName = s.derived.infoHash(d, f), f.Name
	return f, d, true, nil
}

// ErrDownloadDisabled: the creator turned downloads off (403, as PeerTube).
var ErrDownloadDisabled = errors.New("video download is disabled")

// Torrent is the torrent file named name (uris.TorrentName) as viewer may
// have it; download asks for it as an attachment, which downloadEnabled
// governs as it does the file's.
func (s *Service) Torrent(ctx context.Context, viewer visibility.Viewer, u uris.Builder, name string, download bool) (model.Video, []byte, error) {
	uuid, res, web, ok := uris.ParseTorrentName(name)
	if !ok {
		return model.Video{}, nil, model.ErrNotFound
	}
	v, err := s.Videos.GetFile(ctx, viewer, uuid)
	if err != nil {
		return v, nil, err
	}
	if !v.Published() {
		return v, nil, model.ErrNotFound
	}
	if download && !visibility.Download(viewer, v) {
		return v, nil, ErrDownloadDisabled
	}
	rs, err := s.Videos.Renditions(ctx, v)
	if err != nil {
		return v, nil, fmt.Errorf("renditions of %s: %w", v.UUID, err)
	}
	for _, r := range rs {
		if hardware.Resolution(r.Name) == strconv.Itoa(res) {
			var f File
			var d *derived
			if web {
				var has bool
				if f, d, has, err = s.describeWeb(ctx, u, v, rs, r); err == nil && !has {
					err = model.ErrNotFound
				}
			} else {
				f, d, err = s.describe(ctx, u, v, r)
			}
			if errors.Is(err, os.ErrNotExist) {
				err = model.ErrNotFound
			}
			if err != nil {
				return v, nil, err
			}
			return v, s.derived.torrent(d, f), nil
		}
	}
	return v, nil, model.ErrNotFound
}

// Published hashes the files of a video's renditions just published, in
// the background: the video plays meanwhile, and the first app to ask for
// a torrent finds it made (or waits for this hashing).
func (s *Service) Published(ctx context.Context, uuid string, files []string) {
	go func() {
		for _, f := range files {
			if _, err := s.Pieces(ctx, uuid, f); err != nil && ctx.Err() == nil {
				s.Log.Warn("hash a published file for its torrent", "video", uuid, "file", f, "err", err)
			}
		}
		if err := s.webVideos(ctx, uuid, files); err != nil && ctx.Err() == nil {
			s.Log.Warn("make a published video's web video files", "video", uuid, "err", err)
		}
	}()
}

// webVideos makes the web video files (DescribeWeb) of the renditions
// just published (files; nil: all of them), and hashes them: the first
// app to ask for the video's files[] then finds them made instead of
// waiting for ffmpeg. This is the publishing's work, not a request's: no
// viewer.
func (s *Service) webVideos(ctx context.Context, uuid string, files []string) error {
	if s.Muxer == nil {
		return nil
	}
	v, err := s.Videos.Store.Videos.ByUUID(ctx, uuid)
	if err != nil {
		return fmt.Errorf("video %s: %w", uuid, err)
	}
	rs, err := s.Videos.Renditions(ctx, v)
	if err != nil {
		return fmt.Errorf("renditions of %s: %w", uuid, err)
	}
	for _, r := range rs {
		if files != nil && !slices.Contains(files, hardware.FragmentedName(uuid, r.Name)) {
			continue
		}
		if _, _, err := s.DescribeWeb(ctx, uris.Builder{}, v, rs, r); err != nil {
			return err
		}
	}
	return nil
}

// Sweep hashes every published file that has no current record: videos
// from before torrents existed, or a record lost. It runs beside the
// server at start, one file at a time, and costs a few stats once done.
func (s *Service) Sweep(ctx context.Context) error {
	entries, err := os.ReadDir(s.Layout.Media())
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("torrents sweep: %w", err)
	}
	n := 0
	for _, e := range entries {
		uuid := e.Name()
		if !e.IsDir() || strings.HasPrefix(uuid, ".") {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(s.Layout.HLS(uuid), uuid+"-*-fragmented.mp4"))
		for _, path := range files {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if _, err := s.Pieces(ctx, uuid, filepath.Base(path)); err != nil {
				s.Log.Warn("hash a file for its torrent", "video", uuid, "file", filepath.Base(path), "err", err)
				continue
			}
			n++
		}
	}
	s.Log.Debug("torrents swept", "files", n)
	return nil
}
