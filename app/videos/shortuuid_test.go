package videos

import (
	"testing"

	"github.com/google/uuid"
)

func TestShortUUID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		s := ShortUUID(uuid.New())
		if len(s) != 22 || seen[s] {
			t.Fatalf("short UUID %q (len %d, seen %v)", s, len(s), seen[s])
		}
		seen[s] = true
	}
	if got := ShortUUID(uuid.UUID{}); got != "1111111111111111111111" {
		t.Errorf("zero UUID: %q", got)
	}
	if ShortUUID(uuid.MustParse("ffffffff-ffff-ffff-ffff-ffffffffffff")) == ShortUUID(uuid.MustParse("ffffffff-ffff-ffff-ffff-fffffffffffe")) {
		t.Error("neighbouring UUIDs collide")
	}
}

func TestSafeExt(t *testing.T) {
	for in, want := range map[string]string{"a.MP4": ".mp4", "x.webm": ".webm", "../../etc/passwd": "", "a.m p4": "", "noext": "", "a.verylongext": ""} {
		if got := safeExt(in); got != want {
			t.Errorf("safeExt(%q) = %q, want %q", in, got, want)
		}
	}
}
