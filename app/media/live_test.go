package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cabane.dev/cabane/hardware"
	"cabane.dev/cabane/internal/testrig"
)

// liveLadder is a two-rendition ladder with audio over a 12 s clip: three
// segments per rendition, enough to watch the playlists grow. One thread:
// libx264 with ffmpeg's automatic threads is not bit-exact from run to run
// here (measured), and the byte-for-byte comparisons below need it to be;
// a resume without it withdraws (TestEncodeLadderLiveResumeWithdraws...).
func liveLadder(t *testing.T) hardware.Ladder {
	t.Helper()
	p := filepath.Join(clips.dir, "live16.mp4")
	clips.mu.Lock()
	if _, err := os.Stat(p); err != nil {
		testrig.MakeClip(t, p, testrig.Clip{Seconds: 12, Size: "640x360", Preset: "ultrafast"})
	}
	clips.mu.Unlock()
	return hardware.Ladder{Input: p, Prefix: testPrefix, HasAudio: true, Threads: 1, Renditions: []hardware.Rendition{
		{Name: "360p", Width: 640, Height: 360, FPS: 30, MaxRate: 1_000_000, BufSize: 2_000_000},
		{Name: "240p", Width: 426, Height: 240, FPS: 30, MaxRate: 500_000, BufSize: 1_000_000},
	}}
}

// watched is what a viewer polling hlsDir saw of one rendition: per
// listed range, the sha256 of its bytes when first seen.
type watched struct {
	mu       sync.Mutex
	counts   map[string][]int                 // by rendition
	ranges   map[string]map[[2]int64][32]byte // by file name (URL)
	problems []string
}

// watch polls hlsDir's media playlists like a player until stop closes;
// wait returns once the last poll is over.
func watch(hlsDir string, names []string, stop <-chan struct{}) (w *watched, wait func()) {
	w = &watched{counts: map[string][]int{}, ranges: map[string]map[[2]int64][32]byte{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(15 * time.Millisecond):
			}
			for _, n := range names {
				w.look(hlsDir, n)
			}
		}
	}()
	return w, func() { <-done }
}

// listing waits until the viewer has seen every rendition list at least
// n segments, or ctx ends.
func (w *watched) listing(ctx context.Context, names []string, n int) error {
	for {
		w.mu.Lock()
		all := true
		for _, name := range names {
			c := w.counts[name]
			all = all && len(c) > 0 && c[len(c)-1] >= n
		}
		w.mu.Unlock()
		if all {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %d listed segments per rendition: %w", n, context.Cause(ctx))
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (w *watched) look(hlsDir, name string) {
	b, err := os.ReadFile(filepath.Join(hlsDir, hardware.MediaPlaylistName(name)))
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !bytes.Contains(b, []byte("#EXT-X-PLAYLIST-TYPE:EVENT\n")) {
		return // the final VOD one
	}
	if bytes.Contains(b, []byte("#EXT-X-ENDLIST")) {
		w.problems = append(w.problems, name+": an EVENT playlist with an end")
	}
	// Parsed from the very bytes read above: the final VOD playlist may
	// have replaced the file since (it lists the final name).
	mp, err := parsePlaylistBytes(b)
	if err != nil {
		w.problems = append(w.problems, name+": "+err.Error())
		return
	}
	data, err := os.ReadFile(filepath.Join(hlsDir, mp.initURI))
	if err != nil {
		w.problems = append(w.problems, name+": listed file missing: "+err.Error())
		return
	}
	if strings.HasSuffix(mp.initURI, "-fragmented.mp4") {
		w.problems = append(w.problems, name+": an EVENT playlist lists the final file name")
	}
	if w.ranges[mp.initURI] == nil {
		w.ranges[mp.initURI] = map[[2]int64][32]byte{}
	}
	for _, s := range append([]segment{{offset: mp.initOffset, length: mp.initLength}}, mp.segments...) {
		if s.offset+s.length > int64(len(data)) {
			w.problems = append(w.problems, name+": a listed range is not in the file yet")
			return
		}
		k := [2]int64{s.offset, s.length}
		if _, ok := w.ranges[mp.initURI][k]; !ok {
			w.ranges[mp.initURI][k] = sha256.Sum256(data[s.offset : s.offset+s.length])
		}
	}
	c := w.counts[name]
	if len(c) == 0 || c[len(c)-1] != len(mp.segments) {
		w.counts[name] = append(c, len(mp.segments))
	}
}

// parsePlaylistBytes parses a media playlist read earlier.
func parsePlaylistBytes(b []byte) (*mediaPlaylist, error) {
	f, err := os.CreateTemp("", "cabane-playlist-*.m3u8")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return readMediaPlaylist(f.Name())
}

// unchanged checks every range seen while growing against what its URL
// serves now: the same bytes, or nothing at all (404). It returns how many
// of the files seen are gone.
func (w *watched) unchanged(t *testing.T, hlsDir string) (gone int) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.problems {
		t.Error(p)
	}
	for file, rs := range w.ranges {
		data, err := os.ReadFile(filepath.Join(hlsDir, file))
		if os.IsNotExist(err) {
			gone++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for k, sum := range rs {
			if k[0]+k[1] > int64(len(data)) || sha256.Sum256(data[k[0]:k[0]+k[1]]) != sum {
				t.Errorf("%s: range %d@%d changed after a viewer saw it", file, k[1], k[0])
			}
		}
	}
	return gone
}

// seen is how many files the viewer read ranges of.
func (w *watched) seen() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.ranges)
}

// liveFiles are the live names left in hlsDir, each checked to be a
// second name of its rendition's final file.
func liveFiles(t *testing.T, hlsDir string, names []string) int {
	t.Helper()
	n := 0
	for _, name := range names {
		final, err := os.Stat(filepath.Join(hlsDir, hardware.FragmentedName(testPrefix, name)))
		if err != nil {
			t.Fatal(err)
		}
		ls, _ := filepath.Glob(filepath.Join(hlsDir, testPrefix+"-"+hardware.Resolution(name)+"-live-*.mp4"))
		for _, l := range ls {
			st, err := os.Stat(l)
			if err != nil || !os.SameFile(st, final) {
				t.Errorf("%s is not the final %s file", filepath.Base(l), name)
			}
			n++
		}
	}
	return n
}

// The encode is paced by its input, not by the clock: ffmpeg reads the
// clip from a FIFO that the test fills up to 6 s of media (the first 4 s
// segment can be finished, not the second), then, once the viewer has seen
// every rendition list a segment, up to 10 s, and the rest once it has
// seen two. The viewer must thus see every playlist grow, on a machine
// however loaded (a tick or a Ready slower than the whole remaining encode
// once let it see a single version).
func TestEncodeLadderLivePublishesGrowingEventPlaylists(t *testing.T) {
	ctx := testCtx(t)
	l := liveLadder(t)
	l.Input = tsClip(t)
	cuts := mediaOffsets(ctx, t, l.Input, 6, 10)
	hlsDir := t.TempDir()
	stop := make(chan struct{})
	names := LadderNames(l)
	w, watched := watch(hlsDir, names, stop)
	var ready []string
	var readyAt, endAt time.Time
	live := &Live{Poll: 20 * time.Millisecond, Ready: func(ctx context.Context, ns []string) error {
		ready, readyAt = ns, time.Now()
		// What the master will name is playable now: every rendition's
		// EVENT playlist decodes as far as it goes.
		for _, n := range ns {
			got, err := (&Runner{}).Probe(context.Background(), filepath.Join(hlsDir, hardware.MediaPlaylistName(n)))
			if err != nil || got.Video == nil && got.Audio == nil {
				t.Errorf("%s not decodable when ready: %v", n, err)
			}
		}
		// Publishing goes on while Ready runs (a server's takes seconds
		// on a loaded box): the second segments come before it returns.
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := w.listing(wctx, names, 2); err != nil {
			t.Errorf("while Ready ran: %v", err)
		}
		return nil
	}}
	paced := l
	feedCtx, fed := context.WithCancel(ctx)
	paced.Input = feedFIFO(feedCtx, t, l.Input, cuts, func(ctx context.Context, i int) error {
		return w.listing(ctx, names, i+1) // piece i+1 lets segment i+2 finish
	})
	err := (&Runner{}).EncodeLadderLive(ctx, hardware.Libx264{Preset: "ultrafast"}, paced, 12*time.Second, hlsDir, nil, live)
	endAt = time.Now()
	fed()
	close(stop)
	watched()
	if err != nil {
		t.Fatal(err)
	}
	if len(ready) != 3 || readyAt.IsZero() || !readyAt.Before(endAt) {
		t.Fatalf("ready = %v at %v (end %v)", ready, readyAt, endAt)
	}
	w.unchanged(t, hlsDir)
	for _, n := range names {
		c := w.counts[n]
		if len(c) < 2 || c[0] < 1 {
			t.Errorf("%s: listed segment counts seen %v, want a playlist that grows", n, c)
		}
		for i := 1; i < len(c); i++ {
			if c[i] < c[i-1] {
				t.Errorf("%s: playlist shrank: %v", n, c)
			}
		}
	}
	// The end: VOD playlists, byte-identical to a run without Live (on
	// the same clip read from its file).
	plain := t.TempDir()
	if err := (&Runner{}).EncodeLadder(ctx, hardware.Libx264{Preset: "ultrafast"}, l, 12*time.Second, plain, nil); err != nil {
		t.Fatal(err)
	}
	sameDirs(t, plain, hlsDir)
	if n := liveFiles(t, hlsDir, names); n != len(names) {
		t.Errorf("%d live files left, want one per rendition", n)
	}
	assertNoStaging(t, hlsDir)
}

// tsClip is liveLadder's clip as MPEG-TS, a container ffmpeg reads from
// a pipe as it comes (an MP4's index may sit at its end).
func tsClip(t *testing.T) string {
	t.Helper()
	p := filepath.Join(clips.dir, "live16.ts")
	clips.mu.Lock()
	defer clips.mu.Unlock()
	if _, err := os.Stat(p); err != nil {
		testrig.MakeClip(t, p, testrig.Clip{Seconds: 12, Size: "640x360", Preset: "ultrafast"})
	}
	return p
}

// mediaOffsets are the byte offsets in the MPEG-TS file ts of its first
// video packet at or after each of secs seconds of media.
func mediaOffsets(ctx context.Context, t *testing.T, ts string, secs ...float64) []int64 {
	t.Helper()
	out, err := exec.CommandContext(ctx, (&Runner{}).ffprobe(), "-v", "error", "-select_streams", "v:0",
		"-show_entries", "packet=pts_time,pos", "-of", "csv=p=0", ts).Output()
	if err != nil {
		t.Fatalf("ffprobe packets: %v", err)
	}
	var offs []int64
	first := math.NaN()
	for _, line := range strings.Fields(string(out)) {
		f := strings.Split(line, ",")
		if len(f) < 2 {
			continue
		}
		pts, err1 := strconv.ParseFloat(f[0], 64)
		pos, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		if math.IsNaN(first) {
			first = pts // MPEG-TS starts its clock at an offset
		}
		if len(offs) < len(secs) && pts-first >= secs[len(offs)] {
			offs = append(offs, pos)
		}
	}
	if len(offs) != len(secs) {
		t.Fatalf("%s: offsets of %v s: found %v", ts, secs, offs)
	}
	return offs
}

// feedFIFO makes a FIFO and writes src into it in pieces cut at cuts,
// calling gate(ctx, i) before the piece after cut i; it returns the FIFO's
// path. ctx ending stops it (the FIFO's reader then sees an end).
func feedFIFO(ctx context.Context, t *testing.T, src string, cuts []int64, gate func(context.Context, int) error) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0) // until ffmpeg opens it
		if err != nil {
			done <- err
			return
		}
		defer f.Close()
		from := int64(0)
		for i, to := range append(cuts, int64(len(data))) {
			if i > 0 {
				// Bounded below the test's own deadline: on a product that
				// lists nothing while it encodes, the FIFO's end lets the
				// encode finish and the test say so.
				gctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				err := gate(gctx, i-1)
				cancel()
				if err != nil {
					if ctx.Err() != nil {
						err = nil // the encode ended first (it failed)
					}
					done <- err
					return
				}
			}
			if _, err := f.Write(data[from:to]); err != nil {
				if ctx.Err() != nil {
					err = nil // the encode ended first (it failed)
				}
				done <- err
				return
			}
			from = to
		}
		done <- nil
	}()
	t.Cleanup(func() {
		// An encode that never opened the FIFO leaves the writer waiting.
		if r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			r.Close()
		}
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return fifo
}

// sameDirs checks that want and got hold the same files, byte for byte.
func sameDirs(t *testing.T, want, got string) {
	t.Helper()
	list := func(d string) []string {
		es, _ := os.ReadDir(d)
		var out []string
		for _, e := range es {
			if !strings.Contains(e.Name(), "-live-") { // checked by liveFiles
				out = append(out, e.Name())
			}
		}
		return out
	}
	if w, g := strings.Join(list(want), " "), strings.Join(list(got), " "); w != g {
		t.Fatalf("files: %s, want %s", g, w)
	}
	for _, n := range list(want) {
		a, _ := os.ReadFile(filepath.Join(want, n))
		b, _ := os.ReadFile(filepath.Join(got, n))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from a plain encode's", n)
		}
	}
}

// A run killed mid-encode leaves its listed segments playable; the resumed
// run re-encodes from the start and lists nothing until its bytes are the
// very same, so no listed range ever changes.
func TestEncodeLadderLiveResumeKeepsListedBytes(t *testing.T) {
	l := liveLadder(t)
	hlsDir := t.TempDir()
	ctx, cancel := context.WithCancel(testCtx(t))
	live := &Live{Poll: 20 * time.Millisecond, Ready: func(context.Context, []string) error { cancel(); return nil }}
	err := (&Runner{}).EncodeLadderLive(ctx, hardware.Libx264{Preset: "ultrafast"}, l, 12*time.Second, hlsDir, nil, live)
	if err == nil {
		t.Fatal("the first run was not interrupted")
	}
	stop := make(chan struct{})
	w, watched := watch(hlsDir, LadderNames(l), stop)
	time.Sleep(50 * time.Millisecond) // the viewer has read what the killed run listed
	if w.seen() != 3 {
		t.Fatalf("listed before the kill: %d renditions", w.seen())
	}
	var withdrawn bool
	live = &Live{Poll: 20 * time.Millisecond, Withdrawn: func() { withdrawn = true }}
	err = (&Runner{}).EncodeLadderLive(testCtx(t), hardware.Libx264{Preset: "ultrafast"}, l, 12*time.Second, hlsDir, nil, live)
	close(stop)
	watched()
	if err != nil {
		t.Fatal(err)
	}
	if withdrawn {
		t.Error("a bit-exact resume withdrew its segments")
	}
	if gone := w.unchanged(t, hlsDir); gone != 0 {
		t.Errorf("a bit-exact resume removed %d listed files", gone)
	}
	if n := liveFiles(t, hlsDir, LadderNames(l)); n != 3 {
		t.Errorf("%d live files, want the interrupted run's 3, kept", n)
	}
	assertNoStaging(t, hlsDir)
}

// The encode ladder as a software box runs it (capped CRF under VBV, as
// many x264 threads as cores, the preset's own lookahead) is not bit-exact
// from run to run. Killed after it became playable and resumed, with a
// viewer polling throughout: every range the viewer was given reads the
// same afterwards under its URL, or that URL is gone; never other bytes.
func TestEncodeLadderLiveResumeWithDefaultSettings(t *testing.T) {
	l := liveLadder(t)
	l.Threads = max(2, runtime.NumCPU()) // hardware.DefaultPolicy: Threads = cores
	enc := hardware.DefaultPolicy(hardware.Board{Cores: l.Threads}, hardware.Libx264{}).Configure(hardware.Libx264{})
	hlsDir := t.TempDir()
	names := LadderNames(l)
	stop := make(chan struct{})
	w, watched := watch(hlsDir, names, stop)
	ctx, cancel := context.WithCancel(testCtx(t))
	var once sync.Once
	live := &Live{Poll: 20 * time.Millisecond, Ready: func(context.Context, []string) error {
		// Let the viewer read what is listed, then kill mid-encode.
		go func() { time.Sleep(100 * time.Millisecond); once.Do(cancel) }()
		return nil
	}}
	if err := (&Runner{}).EncodeLadderLive(ctx, enc, l, 12*time.Second, hlsDir, nil, live); err == nil {
		t.Fatal("the first run was not interrupted")
	}
	if w.seen() != len(names) {
		t.Fatalf("the viewer saw %d files before the kill, want %d", w.seen(), len(names))
	}
	var withdrawn, readyAgain bool
	live = &Live{Poll: 20 * time.Millisecond, Withdrawn: func() { withdrawn = true }, Ready: func(context.Context, []string) error {
		readyAgain = true
		return nil
	}}
	err := (&Runner{}).EncodeLadderLive(testCtx(t), enc, l, 12*time.Second, hlsDir, nil, live)
	close(stop)
	watched()
	if err != nil {
		t.Fatal(err)
	}
	gone := w.unchanged(t, hlsDir)
	t.Logf("resume: withdrawn %v, %d of %d files seen are gone, ready again %v", withdrawn, gone, w.seen(), readyAgain)
	if withdrawn != (gone > 0) {
		t.Errorf("withdrawn %v but %d files seen are gone", withdrawn, gone)
	}
	if withdrawn && !readyAgain {
		t.Error("withdrawn, and not published again while encoding")
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(hlsDir, hardware.MediaPlaylistName(n)))
		if err != nil || !bytes.Contains(b, []byte("#EXT-X-PLAYLIST-TYPE:VOD")) || !bytes.Contains(b, []byte(hardware.FragmentedName(testPrefix, n))) {
			t.Errorf("%s: final playlist %q, %v", n, b, err)
		}
	}
	liveFiles(t, hlsDir, names)
	assertNoStaging(t, hlsDir)
}

// An encoder that does not reproduce the listed bytes (simulated by
// altering them) makes the resumed run withdraw the live playlists
// instead of publishing other bytes under a listed range.
func TestEncodeLadderLiveResumeWithdrawsWhenBytesDiffer(t *testing.T) {
	l := liveLadder(t)
	hlsDir := t.TempDir()
	ctx, cancel := context.WithCancel(testCtx(t))
	live := &Live{Poll: 20 * time.Millisecond, Ready: func(context.Context, []string) error { cancel(); return nil }}
	if err := (&Runner{}).EncodeLadderLive(ctx, hardware.Libx264{Preset: "ultrafast"}, l, 12*time.Second, hlsDir, nil, live); err == nil {
		t.Fatal("the first run was not interrupted")
	}
	mp, err := readMediaPlaylist(filepath.Join(hlsDir, hardware.MediaPlaylistName("360p")))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(hlsDir, mp.initURI)
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{0xff, 0xff, 0xff, 0xff}, mp.segments[0].offset+mp.segments[0].length-8); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var gone []string
	var again []string
	live = &Live{Poll: 20 * time.Millisecond, Withdrawn: func() {
		left, _ := filepath.Glob(filepath.Join(hlsDir, "*"))
		gone = append(gone, left...)
	}, Ready: func(context.Context, []string) error {
		// Published again from the start, under new names only.
		for _, n := range LadderNames(l) {
			mp, err := readMediaPlaylist(filepath.Join(hlsDir, hardware.MediaPlaylistName(n)))
			if err != nil || mp.initURI == filepath.Base(file) || !isLiveName(mp.initURI, testPrefix, n) {
				t.Errorf("%s republished as %+v, %v", n, mp, err)
				continue
			}
			again = append(again, mp.initURI)
		}
		if gone == nil {
			t.Error("published before withdrawing")
		}
		return nil
	}}
	if err := (&Runner{}).EncodeLadderLive(testCtx(t), hardware.Libx264{Preset: "ultrafast"}, l, 12*time.Second, hlsDir, nil, live); err != nil {
		t.Fatal(err)
	}
	if gone == nil {
		t.Fatal("not withdrawn")
	}
	if len(again) != 3 {
		t.Errorf("republished while encoding: %v", again)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the altered file's URL still answers: %v", err)
	}
	for _, p := range gone {
		if !strings.HasPrefix(filepath.Base(p), ".") {
			t.Errorf("left in place when withdrawn: %s", filepath.Base(p))
		}
	}
	// The final VOD is published as usual.
	if b, err := os.ReadFile(filepath.Join(hlsDir, hardware.MediaPlaylistName("360p"))); err != nil || !bytes.Contains(b, []byte("#EXT-X-PLAYLIST-TYPE:VOD")) {
		left, _ := os.ReadDir(hlsDir)
		t.Errorf("final playlist: %v %q; dir %v", err, b, left)
	}
}
