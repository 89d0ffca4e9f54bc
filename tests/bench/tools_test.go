package bench

import (
	"bytes"
	"io"
	"mime/multipart"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// These check the measuring tools and run in the ordinary suite: a wrong
// byte count or a misread /proc line would make every figure wrong.

func TestFillerYieldsExactlyN(t *testing.T) {
	for _, n := range []int64{0, 1, 4095, 1 << 20, 3<<20 + 7} {
		got, err := io.Copy(io.Discard, newFiller(n))
		if err != nil || got != n {
			t.Errorf("filler(%d) gave %d bytes, %v", n, got, err)
		}
	}
	// Dirty buffers come back zeroed: the body is what was promised.
	buf := bytes.Repeat([]byte{0xff}, 100)
	if n, _ := newFiller(60).Read(buf); n != 60 || !bytes.Equal(buf[:60], make([]byte, 60)) || buf[60] != 0xff {
		t.Errorf("filler wrote %d bytes: %v", n, buf)
	}
}

func TestUploadBodyIsValidMultipartWithExactLength(t *testing.T) {
	const size = 1<<20 + 3
	b, err := newUploadBody("Big", "big.mp4", newFiller(size), size)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(b)
	if err != nil || int64(len(raw)) != b.Length {
		t.Fatalf("body is %d bytes, declared %d (%v)", len(raw), b.Length, err)
	}
	_, params, _ := strings.Cut(b.ContentType, "boundary=")
	mr := multipart.NewReader(bytes.NewReader(raw), params)
	parts := map[string]int{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		n, err := io.Copy(io.Discard, p)
		if err != nil {
			t.Fatal(err)
		}
		parts[p.FormName()] = int(n)
		if p.FormName() == "videofile" && p.FileName() != "big.mp4" {
			t.Errorf("file name %q", p.FileName())
		}
	}
	if parts["videofile"] != size || parts["name"] != 3 || parts["privacy"] != 1 {
		t.Errorf("parts %v", parts)
	}
}

func TestParseMem(t *testing.T) {
	m, err := testrig.ParseMem(strings.NewReader("Name:\tcabane\nVmPeak:\t  900 kB\nVmHWM:\t   25000 kB\nVmRSS:\t   21000 kB\nRssAnon:\t   6000 kB\nRssFile:\t   15000 kB\nThreads:\t8\n"))
	if err != nil || m.RSS != 21000 || m.HWM != 25000 || m.Anon != 6000 || m.File != 15000 {
		t.Errorf("ParseMem = %+v, %v", m, err)
	}
	if _, err := testrig.ParseMem(strings.NewReader("Name:\tkthreadd\n")); err == nil {
		t.Error("a status without VmRSS parsed")
	}
	// Our own process: a live /proc read, as the figures do it.
	self, err := testrig.ReadMem(os.Getpid())
	if err != nil || self.RSS <= 0 || self.HWM < self.RSS {
		t.Errorf("testrig.ReadMem(self) = %+v, %v", self, err)
	}
}

func TestSamplerSeesPeak(t *testing.T) {
	s := sampleRSS(os.Getpid(), 10*time.Millisecond)
	big := bytes.Repeat([]byte{1}, 32<<20) // touched, so resident
	time.Sleep(60 * time.Millisecond)
	peak, n, err := s.stop()
	runtime.KeepAlive(big)
	if err != nil || n < 2 || peak < int64(len(big)>>10) {
		t.Errorf("peak %d KiB over %d samples (%v), want ≥ 32 MiB", peak, n, err)
	}
}

func TestLogTime(t *testing.T) {
	at, err := logTime(`time=2026-11-21T06:41:49.338Z level=INFO msg="job done" job=1 kind=video.process took=1m2s`)
	if err != nil || !at.Equal(time.Date(2026, 11, 21, 6, 41, 49, 338e6, time.UTC)) {
		t.Errorf("logTime = %v, %v", at, err)
	}
	if _, err := logTime(`level=INFO msg="job done"`); err == nil {
		t.Error("a line without time= parsed")
	}
}
