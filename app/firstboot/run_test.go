package firstboot

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunConsumesTheCard(t *testing.T) {
	root, boot := fakeRoot(t), t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0::/root:/bin/sh\ncabane:x:4242:4343::/var/lib/cabane:/usr/sbin/nologin\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	card := filepath.Join(boot, FileName)
	text := "wifi_ssid = Maison\r\nwifi_password = correct horse battery staple\r\nwifi_country = FR\r\nhostname = studio\r\ntimezone = Mars/Olympus\r\n"
	// FAT shows every file as 0755; the rewrite must keep the mode it
	// finds (a chmod to anything else fails there).
	if err := os.WriteFile(card, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(card, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := Run(context.Background(), Options{Boot: boot, Root: root, Now: func() time.Time { return fixedNow }, Log: discardLog()})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.Applied, []string{KeyHostname, KeyWiFiSSID, KeyWiFiPassword, KeyWiFiCountry}) || len(out.Problems) != 1 || out.Problems[0].Line != 5 {
		t.Errorf("outcome %+v", out)
	}
	if got := readFile(t, filepath.Join(root, "etc/hostname")); got != "studio\n" {
		t.Errorf("hostname %q", got)
	}
	got := readFile(t, card)
	if strings.Contains(got, "horse") || !strings.Contains(got, "\r\ntimezone = Mars/Olympus\r\n") || !strings.Contains(got, "# applied 2026-03-14: hostname = studio\r\n") {
		t.Errorf("card now reads %q", got)
	}
	if m := mode(t, card).Perm(); m != 0o755 {
		t.Errorf("card mode %v", m)
	}

	// The outcome is in the data directory, the cabane user's.
	data := filepath.Join(root, "var/lib/cabane")
	o, ok, err := ReadOutcome(data)
	if err != nil || !ok || !o.Time.Equal(fixedNow) || o.File != card || len(o.Problems) != 1 || o.Problems[0].Message.FR == "" || !slices.Equal(o.Applied, out.Applied) {
		t.Fatalf("read outcome %+v %v %v", o, ok, err)
	}
	for _, p := range []string{data, filepath.Join(data, OutcomeFile)} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); os.Geteuid() == 0 && (st.Uid != 4242 || st.Gid != 4343) {
			t.Errorf("%s owned by %d:%d, want the cabane user", p, st.Uid, st.Gid)
		}
	}
	if b := readFile(t, filepath.Join(data, OutcomeFile)); strings.Contains(b, "horse") {
		t.Error("the password is in the outcome")
	}

	// The next boot: the bad line again, nothing else; the outcome says so.
	out2, err := Run(context.Background(), Options{Boot: boot, Root: root, Now: func() time.Time { return fixedNow }, Log: discardLog()})
	if err != nil || len(out2.Applied) != 0 || len(out2.Problems) != 1 {
		t.Errorf("second run %+v %v", out2, err)
	}
	if again := readFile(t, card); again != got {
		t.Errorf("second run changed the card:\n%q\n%q", got, again)
	}
}

func TestRunWithoutFile(t *testing.T) {
	_, err := Run(context.Background(), Options{Boot: t.TempDir(), Root: t.TempDir(), Log: discardLog()})
	if !errors.Is(err, ErrNoFile) {
		t.Errorf("err %v", err)
	}
}

func TestRunUnreadableFile(t *testing.T) {
	boot := t.TempDir()
	// A directory where the file should be cannot be read.
	if err := os.Mkdir(filepath.Join(boot, FileName), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), Options{Boot: boot, Root: t.TempDir(), Log: discardLog()}); err == nil || errors.Is(err, ErrNoFile) {
		t.Errorf("err %v", err)
	}
}

// A UTF-16 file is reported and left untouched.
func TestRunLeavesUTF16Alone(t *testing.T) {
	root, boot := fakeRoot(t), t.TempDir()
	card := filepath.Join(boot, FileName)
	utf16 := []byte{0xFF, 0xFE, 'h', 0, '=', 0, 'x', 0}
	if err := os.WriteFile(card, utf16, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := Run(context.Background(), Options{Boot: boot, Root: root, Log: discardLog()})
	if err != nil || len(out.Problems) != 1 || out.Problems[0].Line != 0 {
		t.Fatalf("%+v %v", out, err)
	}
	if got := readFile(t, card); got != string(utf16) {
		t.Errorf("card changed: %q", got)
	}
	if _, ok, _ := ReadOutcome(filepath.Join(root, "var/lib/cabane")); !ok {
		t.Error("no outcome recorded")
	}
}
