package bandwidth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/store"
)

type admin bool

func (a admin) Admin() bool { return bool(a) }

// memSettings is a settings table in memory, for the tests that do not
// restart anything.
type memSettings struct {
	mu sync.Mutex
	m  map[string]string
}

func (m *memSettings) Get(_ context.Context, k string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.m[k], nil
}

func (m *memSettings) Set(_ context.Context, k, v string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]string{}
	}
	m.m[k] = v
	return nil
}

func newService(t *testing.T, capacityKbps int64) *Service {
	t.Helper()
	s := New(&memSettings{})
	if err := s.SetCapacity(context.Background(), admin(true), capacityKbps); err != nil {
		t.Fatal(err)
	}
	return s
}

func remote(s *Service, i int) Key {
	return s.ViewerKey(netip.AddrFrom4([4]byte{203, 0, 113, byte(i)}), "Firefox")
}

func TestLANViewersAreNotCounted(t *testing.T) {
	s := newService(t, 10_000)
	now := time.Unix(1_700_000_000, 0)
	for i := range 5 {
		home := s.ViewerKey(netip.AddrFrom4([4]byte{192, 168, 1, byte(i)}), "Firefox")
		s.Served(now, "v1", home, true, 1_000_000)
	}
	if n := s.Viewers(now, "v1"); n != 0 {
		t.Fatalf("home viewers counted: %d", n)
	}
	s.Served(now, "v1", remote(s, 1), false, 500_000)
	u, err := s.Usage(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	if u.Viewers != 1 || len(u.Videos) != 1 || u.Videos[0] != (VideoViewers{"v1", 1}) {
		t.Fatalf("usage: %+v", u)
	}
	// 500 kB in a 45 s window is 88 kb/s remote; 5 MB at home apart.
	if u.UsedKbps != 500_000*8/1000/45 || u.LANKbps != 5_000_000*8/1000/45 {
		t.Fatalf("used %d kb/s remote, %d at home", u.UsedKbps, u.LANKbps)
	}
	// A home viewer's player is never capped, however full the box.
	for i := range 30 {
		s.Served(now, "v2", remote(s, 10+i), false, 10_000_000)
	}
	c, err := s.StartCap(context.Background(), now, s.ViewerKey(netip.MustParseAddr("192.168.1.9"), "x"), true)
	if err != nil || c != (Cap{}) {
		t.Fatalf("home cap: %+v, %v", c, err)
	}
}

func TestWindowExpiry(t *testing.T) {
	s := newService(t, 10_000)
	s.Window = 30 * time.Second
	t0 := time.Unix(1_700_000_000, 0)
	s.Served(t0, "v", remote(s, 1), false, 1000)
	s.Served(t0.Add(20*time.Second), "v", remote(s, 2), false, 1000)
	// The same viewer again is one viewer.
	s.Served(t0.Add(25*time.Second), "v", remote(s, 2), false, 1000)
	if n := s.Viewers(t0.Add(29*time.Second), "v"); n != 2 {
		t.Fatalf("at 29 s: %d viewers, want 2", n)
	}
	if n := s.Viewers(t0.Add(31*time.Second), "v"); n != 1 {
		t.Fatalf("at 31 s: %d viewers, want 1 (the first one's last segment is 31 s old)", n)
	}
	if n := s.Viewers(t0.Add(56*time.Second), "v"); n != 0 {
		t.Fatalf("at 56 s: %d viewers, want 0", n)
	}
	u, _ := s.Usage(context.Background(), t0.Add(56*time.Second))
	if u.UsedKbps != 0 || len(u.Videos) != 0 || s.tracked != 0 {
		t.Fatalf("after the window: %+v, %d tracked", u, s.tracked)
	}
}

func TestStartCap(t *testing.T) {
	ctx := context.Background()
	s := newService(t, 2_000) // 2 Mb/s up, 1.6 for video
	now := time.Unix(1_700_000_000, 0)
	me := remote(s, 200)
	c, err := s.StartCap(ctx, now, me, false)
	if err != nil || c.MaxBitrate != 1_600_000 || c.Saturated {
		t.Fatalf("alone: %+v, %v", c, err)
	}
	for i := range 3 {
		s.Served(now, "v", remote(s, i), false, 1000)
	}
	if c, _ = s.StartCap(ctx, now, me, false); c.MaxBitrate != 400_000 {
		t.Fatalf("with 3 others: %+v, want 400 kb/s", c)
	}
	// Reloading the page does not count the viewer against themself.
	s.Served(now, "v", me, false, 1000)
	if c, _ = s.StartCap(ctx, now, me, false); c.MaxBitrate != 400_000 {
		t.Fatalf("counted twice: %+v", c)
	}
	// Remote viewers pulling more than 1.6 Mb/s over the window: saturated.
	s.Served(now, "v", remote(s, 1), false, 45*1_700_000/8)
	if c, _ = s.StartCap(ctx, now, me, false); !c.Saturated {
		t.Fatalf("not saturated at 1.7 Mb/s of 1.6: %+v", c)
	}
	// No capacity: no cap.
	if err := s.SetCapacity(ctx, admin(true), 0); err != nil {
		t.Fatal(err)
	}
	if c, _ = s.StartCap(ctx, now, me, false); c != (Cap{}) {
		t.Fatalf("no capacity: %+v", c)
	}
	if err := s.SetCapacity(ctx, admin(false), 5000); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a user set the capacity: %v", err)
	}
	if err := s.SetCapacity(ctx, admin(true), -1); !errors.Is(err, ErrBadCapacity) {
		t.Fatalf("negative capacity: %v", err)
	}
}

func TestStartLevel(t *testing.T) {
	ladder := []int64{4_500_000, 2_500_000, 1_200_000, 600_000} // 1080p .. 360p, as hls.js lists them
	for _, c := range []struct {
		max  int64
		want int
	}{{0, 0}, {10_000_000, 0}, {4_500_000, 0}, {4_499_999, 1}, {2_000_000, 2}, {1_200_000, 2}, {700_000, 3}, {100_000, 3}} {
		if got := StartLevel(ladder, c.max); got != c.want {
			t.Errorf("StartLevel(%d) = %d, want %d", c.max, got, c.want)
		}
	}
	if StartLevel(nil, 1) != -1 {
		t.Error("no levels")
	}
	// Any order: lowest first, as a master playlist may list them.
	if got := StartLevel([]int64{600_000, 1_200_000, 2_500_000}, 2_000_000); got != 1 {
		t.Errorf("ascending ladder: %d", got)
	}
}

// The settings survive a restart: they are in the database's settings
// table.
func TestCapacityIsStored(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cabane.db")
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := New(st.Settings).SetCapacity(ctx, admin(true), 12_500); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := New(st.Settings).Config(ctx)
	if err != nil || c.CapacityKbps != 12_500 {
		t.Fatalf("after a restart: %+v, %v", c, err)
	}
}

type plainUploader struct{ c *http.Client }

func (u plainUploader) Do(ctx context.Context, r *http.Request) (*http.Response, error) {
	return u.c.Do(r.WithContext(ctx))
}

// A measured upload to a server that reads what it is sent at a known
// pace gives that pace, and is kept for the admin page.
func TestMeasure(t *testing.T) {
	const rate = 8 << 20 // bytes/s the server reads: 67 Mb/s
	var got int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		buf := make([]byte, 64<<10)
		for {
			n, err := r.Body.Read(buf)
			got += int64(n)
			if ahead := time.Duration(float64(got)/rate*float64(time.Second)) - time.Since(start); ahead > 0 {
				time.Sleep(ahead)
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	s := newService(t, 0)
	s.Uploader = plainUploader{srv.Client()}
	ctx := context.Background()
	if _, err := s.Measure(ctx, admin(false), srv.URL); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a user measured: %v", err)
	}
	if _, err := s.Measure(ctx, admin(true), "file:///etc/passwd"); !errors.Is(err, ErrBadURL) {
		t.Fatalf("file URL: %v", err)
	}
	m, err := s.Measure(ctx, admin(true), srv.URL+"/up")
	if err != nil {
		t.Fatal(err)
	}
	want := int64(rate * 8 / 1000)
	t.Logf("measured %d kb/s (%d bytes in %.2f s) against a server reading %d kb/s", m.Kbps, m.Bytes, m.Seconds, want)
	if m.Bytes != got || m.Kbps < want*8/10 || m.Kbps > want*12/10 {
		t.Fatalf("measured %+v, server read %d bytes; want about %d kb/s", m, got, want)
	}
	c, _ := s.Config(ctx)
	if c.Measured == nil || *c.Measured != m {
		t.Fatalf("not kept: %+v", c)
	}
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusMethodNotAllowed)
	}))
	defer refusing.Close()
	if _, err := s.Measure(ctx, admin(true), refusing.URL); !errors.Is(err, ErrRefused) && !errors.Is(err, ErrTooShort) {
		t.Fatalf("refused upload: %v", err)
	}
}

// The figure: the start rendition a remote viewer gets with PeerTube's
// default ladder when 1, 5, 10 and 20 remote viewers already watch, on a
// 10 and a 50 Mb/s upstream (go test -run TestFigureStartRendition -v
// ./app/bandwidth).
func TestFigureStartRendition(t *testing.T) {
	// A 30 fps ladder: width x height x 30 x the average bits per pixel
	// (app/media/bitrate.go, after PeerTube's), plus 128 kb/s of AAC.
	names := []string{"1080p", "720p", "480p", "360p", "240p", "144p"}
	ladder := []int64{6_348_000, 3_169_000, 1_604_000, 1_165_000, 649_000, 338_000}
	for _, capacity := range []int64{10_000, 50_000} {
		for _, viewers := range []int{1, 5, 10, 20} {
			s := newService(t, capacity)
			now := time.Unix(1_700_000_000, 0)
			for i := range viewers {
				s.Served(now, "v", remote(s, i), false, 1000)
			}
			c, err := s.StartCap(context.Background(), now, remote(s, 250), false)
			if err != nil {
				t.Fatal(err)
			}
			l := StartLevel(ladder, c.MaxBitrate)
			t.Logf("%2d Mb/s up, %2d remote viewers watching: %5d kb/s each -> starts at %s", capacity/1000, viewers, c.MaxBitrate/1000, names[l])
			if want := capacity * 8 / 10 / int64(viewers+1) * 1000; c.MaxBitrate != want {
				t.Errorf("cap %d, want %d", c.MaxBitrate, want)
			}
		}
	}
}
