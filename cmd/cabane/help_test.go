package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

func runOut(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var o, e bytes.Buffer
	err = run(context.Background(), args, strings.NewReader(""), &o, &e)
	return o.String(), e.String(), err
}

// `cabane help`, -h and --help list every entry of the dispatch table.
func TestHelpListsEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		out, errOut, err := runOut(t, args...)
		if err != nil || errOut != "" {
			t.Fatalf("%v: err %v, stderr %q", args, err, errOut)
		}
		for _, c := range commands() {
			if !regexp.MustCompile(`(?m)^  ` + c.name + ` +\S`).MatchString(out) {
				t.Errorf("%v does not list %s:\n%s", args, c.name, out)
			}
		}
	}
}

// Every entry answers --help on stdout, exits 0 and runs nothing; help
// COMMAND prints the same. Known commands list their flags.
func TestEveryCommandAnswersHelp(t *testing.T) {
	flags := map[string][]string{
		"serve":   {"data", "listen", "public-url", "mdns-hostname"},
		"admin":   {"username", "email", "password", "admin"},
		"doctor":  {"seconds", "data"},
		"help":    {"man"},
		"backup":  {"data"},
		"restore": {"data", "force"},
	}
	for _, c := range commands() {
		out, errOut, err := runOut(t, c.name, "--help")
		if err != nil || errOut != "" {
			t.Errorf("%s --help: err %v, stderr %q", c.name, err, errOut)
			continue
		}
		if !regexp.MustCompile(`(?i)^usage(:| of) cabane ` + c.name + `\b`).MatchString(out) {
			t.Errorf("%s --help prints no usage on stdout: %q", c.name, out)
		}
		for _, f := range flags[c.name] {
			if !regexp.MustCompile(`(?m)^  -` + f + `\b`).MatchString(out) {
				t.Errorf("%s --help does not list -%s:\n%s", c.name, f, out)
			}
		}
		viaHelp, _, err := runOut(t, "help", c.name)
		if err != nil || viaHelp != out {
			t.Errorf("help %s (err %v) differs from %s --help:\n%s", c.name, err, c.name, viaHelp)
		}
		short, _, err := runOut(t, c.name, "-h")
		if err != nil || short != out {
			t.Errorf("%s -h (err %v) differs from --help", c.name, err)
		}
	}
	// A help flag after other flags still answers help, and "--" ends the
	// flags: what follows is an argument.
	out, _, err := runOut(t, "serve", "-listen", ":1", "--help")
	if err != nil || !strings.Contains(out, "-listen") {
		t.Errorf("serve -listen :1 --help: %v %q", err, out)
	}
	if wantsHelp([]string{"--", "-h"}) {
		t.Error("-h after -- taken for a help flag")
	}
}

func TestUnknownCommand(t *testing.T) {
	_, errOut, err := runOut(t, "nonsense")
	if err == nil || !strings.Contains(errOut, "  serve ") {
		t.Errorf("unknown command: err %v, stderr %q", err, errOut)
	}
	if _, _, err := runOut(t, "help", "nonsense"); err == nil {
		t.Error("help nonsense succeeded")
	}
}

// The man page has every command and its flags, escaped for roff, and the
// same bytes for the same SOURCE_DATE_EPOCH.
func TestManPage(t *testing.T) {
	var a, b bytes.Buffer
	if err := writeManPage(context.Background(), &a, "1764547200"); err != nil {
		t.Fatal(err)
	}
	if err := writeManPage(context.Background(), &b, "1764547200"); err != nil {
		t.Fatal(err)
	}
	page := a.String()
	if page != b.String() {
		t.Error("two man pages of one epoch differ")
	}
	if !strings.HasPrefix(page, ".TH CABANE 1 2025-12-01 ") {
		t.Errorf("header: %q", page[:min(len(page), 60)])
	}
	for _, c := range commands() {
		if !regexp.MustCompile(`\.SS ` + c.name + `\n\.nf\n(?i:usage)(:| of) cabane ` + c.name + `\b`).MatchString(page) {
			t.Errorf("man page lacks the flags of %s", c.name)
		}
	}
	for _, want := range []string{`  \-listen string`, `(env CABANE_LISTEN) (default ":8080")`, `  \-username string`} {
		if !strings.Contains(page, want) {
			t.Errorf("man page lacks %q", want)
		}
	}
	for line := range strings.Lines(page) {
		if strings.HasPrefix(line, ".") && !regexp.MustCompile(`^\.(TH|SH|SS|TP|B|BR|I|IR|RI|nf|fi)( |\n)`).MatchString(line) {
			t.Errorf("unescaped roff request: %q", line)
		}
	}
	if err := writeManPage(context.Background(), &a, "yesterday"); err == nil {
		t.Error("a bad SOURCE_DATE_EPOCH accepted")
	}
}
