package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
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

// watch polls hlsDir's media playlists like a player until stop closes.
func watch(hlsDir string, names []string, stop <-chan struct{}) *watched {
	w := &watched{counts: map[string][]int{}, ranges: map[string]map[[2]int64][32]byte{}}
	go func() {
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
	return w
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
	mp, err := readMediaPlaylist(filepath.Join(hlsDir, hardware.MediaPlaylistName(name)))
	if err != nil {
		return // replaced between the two reads
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

func TestEncodeLadderLivePublishesGrowingEventPlaylists(t *testing.T) {
	ctx := testCtx(t)
	l := liveLadder(t)
	hlsDir := t.TempDir()
	stop := make(chan struct{})
	names := LadderNames(l)
	w := watch(hlsDir, names, stop)
	var ready []string
	var readyAt, endAt time.Time
	live := &Live{Poll: 20 * time.Millisecond, Ready: func(_ context.Context, ns []string) error {
		ready, readyAt = ns, time.Now()
		// What the master will name is playable now: every rendition's
		// EVENT playlist decodes as far as it goes.
		for _, n := range ns {
			got, err := (&Runner{}).Probe(context.Background(), filepath.Join(hlsDir, hardware.MediaPlaylistName(n)))
			if err != nil || got.Video == nil && got.Audio == nil {
				t.Errorf("%s not decodable when ready: %v", n, err)
			}
		}
		return nil
	}}
	err := (&Runner{}).EncodeLadderLive(ctx, hardware.Libx264{Preset: "ultrafast"}, l, 12*time.Second, hlsDir, nil, live)
	endAt = time.Now()
	close(stop)
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
	// The end: VOD playlists, byte-identical to a run without Live.
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
	w := watch(hlsDir, LadderNames(l), stop)
	time.Sleep(50 * time.Millisecond) // the viewer has read what the killed run listed
	if len(w.ranges) != 3 {
		t.Fatalf("listed before the kill: %d renditions", len(w.ranges))
	}
	var withdrawn bool
	live = &Live{Poll: 20 * time.Millisecond, Withdrawn: func() { withdrawn = true }}
	err = (&Runner{}).EncodeLadderLive(testCtx(t), hardware.Libx264{Preset: "ultrafast"}, l, 12*time.Second, hlsDir, nil, live)
	close(stop)
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
	w := watch(hlsDir, names, stop)
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
