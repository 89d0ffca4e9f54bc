package firstboot

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

var fixedNow = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestConsume(t *testing.T) {
	root := fakeRoot(t)
	orig := "\xEF\xBB\xBF# R\xE9glages\r\n" +
		"wifi_ssid = Maison\r\n" +
		"wifi_password = correct horse battery staple\r\n" +
		"wifi_country = FR\r\n" +
		"hostname = bad.name\r\n" +
		"# error: an old message from the last boot\r\n" +
		"timezone = Europe/Paris  \r\n" +
		"colour = blue"
	s, problems := Parser{Root: root}.Parse(strings.NewReader(orig))
	applied := map[int]bool{}
	for _, lines := range s.Lines {
		for _, n := range lines {
			applied[n] = true
		}
	}
	got := string(Consume([]byte(orig), applied, problems, fixedNow))
	want := "\xEF\xBB\xBF# R\xE9glages\r\n" +
		"# applied 2026-03-14: wifi_ssid = Maison\r\n" +
		"# wifi_password was applied and removed from the card\r\n" +
		"# applied 2026-03-14: wifi_country = FR\r\n" +
		"# error: " + problems[0].Message.EN + " / erreur : " + problems[0].Message.FR + "\r\n" +
		"hostname = bad.name\r\n" +
		"# applied 2026-03-14: timezone = Europe/Paris\r\n" +
		"# error: " + problems[1].Message.EN + " / erreur : " + problems[1].Message.FR + "\r\n" +
		"colour = blue"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if strings.Contains(got, "horse") {
		t.Error("the password is still in the file")
	}
	// Parsing the rewritten file finds only the bad lines again.
	s2, p2 := Parser{Root: root}.Parse(strings.NewReader(got))
	if !s2.Empty() || len(p2) != 2 || p2[0].Key != KeyHostname || p2[1].Key != "colour" {
		t.Errorf("second parse: %+v %+v", s2, p2)
	}
	// And consuming it again changes nothing: the error comments are
	// replaced, not piled up.
	if again := string(Consume([]byte(got), nil, p2, fixedNow)); again != got {
		t.Errorf("second consume changed the file:\n%q", again)
	}
}

// In a Latin-1 file, the French message is written in Latin-1 too, even
// above a line that is plain ASCII.
func TestConsumeLatin1ErrorComment(t *testing.T) {
	orig := []byte("# caf\xE9\nhostname = b.b\n")
	_, problems := Parser{Root: fakeRoot(t)}.Parse(bytes.NewReader(orig))
	if len(problems) != 1 {
		t.Fatalf("%+v", problems)
	}
	got := Consume(orig, nil, problems, fixedNow)
	lines := bytes.Split(got, []byte("\n"))
	if len(lines) != 4 || !bytes.HasPrefix(lines[1], []byte("# error: ")) || !bytes.Equal(lines[2], []byte("hostname = b.b")) {
		t.Fatalf("got %q", got)
	}
	if !bytes.Contains(lines[1], []byte("\xE0 63")) { // "de 1 à 63" in Latin-1
		t.Errorf("error line not in Latin-1: %q", lines[1])
	}
}
