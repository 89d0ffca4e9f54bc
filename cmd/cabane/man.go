package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// writeManPage prints cabane(1) in roff from the command table and each
// command's own --help, so the page says what the binary accepts. The date
// is SOURCE_DATE_EPOCH's when set, so that two builds of one commit give
// the same page (the Debian package is reproducible).
func writeManPage(ctx context.Context, w io.Writer, sourceDateEpoch string) error {
	date := time.Now().UTC()
	if sourceDateEpoch != "" {
		sec, err := strconv.ParseInt(sourceDateEpoch, 10, 64)
		if err != nil {
			return fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", sourceDateEpoch, err)
		}
		date = time.Unix(sec, 0).UTC()
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, ".TH CABANE 1 %s \"cabane %s\" \"Cabane manual\"\n", date.Format("2006-01-02"), roffText(version))
	bw.WriteString(`.SH NAME
cabane \- your video channel on a box at home
.SH SYNOPSIS
.B cabane
.RI [ COMMAND ]
.RI [ FLAGS ]
.SH DESCRIPTION
Cabane is a video platform that speaks PeerTube's API, in one program:
it stores, transcodes and serves the videos of its creators from a small
box at home, and announces itself on the local network.
Without a command,
.B cabane
runs
.BR serve .
.SH COMMANDS
`)
	for _, c := range commands() {
		fmt.Fprintf(bw, ".TP\n.B %s\n%s\n", c.name, roffText(c.summary))
	}
	bw.WriteString(".SH \"FLAGS OF EACH COMMAND\"\n")
	for _, c := range commands() {
		var out bytes.Buffer
		if err := commandHelp(ctx, c, nil, &out); err != nil {
			return fmt.Errorf("man page: %w", err)
		}
		fmt.Fprintf(bw, ".SS %s\n.nf\n", c.name)
		for line := range strings.Lines(out.String()) {
			// The flag package indents a flag's text with a tab.
			line = strings.ReplaceAll(strings.TrimRight(line, "\n"), "\t", "  ")
			fmt.Fprintln(bw, roffText(line))
		}
		bw.WriteString(".fi\n")
	}
	bw.WriteString(`.SH ENVIRONMENT
Each setting of
.B serve
can also be given as the
.B CABANE_*
variable named in its flag's text; a flag wins over the variable.
The Debian package's service reads them from
.I /etc/default/cabane
and
.IR /etc/cabane/cabane.env .
.SH FILES
.TP
.I /var/lib/cabane
the data directory of the packaged service: database, videos, certificates,
keys and backups.
.TP
.I /etc/default/cabane
settings of the packaged service, such as the listen address.
.SH "SEE ALSO"
.BR ffmpeg (1),
.BR systemctl (1)
`)
	return bw.Flush()
}

// roffText escapes text for roff: backslashes, minus signs (a flag's dash
// must stay an ASCII minus when copied from the page) and a leading dot or
// quote, which roff would read as a request.
func roffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
