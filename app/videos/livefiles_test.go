package videos

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/media"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/hardware"
)

// liveFolder lays out the hls/ folder of video uuid whose encodes left
// live files behind, and returns the live names that must stay and the
// ones that are superseded:
//
//	720: re-encoded; the old live file holds the old bytes       → removed
//	480: published a minute ago; the live name is the final file → kept (grace)
//	360: published an hour ago; the live name is the final file  → removed
//	240: still growing, its EVENT playlist lists the live file   → kept;
//	     a withdrawn run's live file that nothing lists          → removed
//	144: a link a crash left before its rename into place        → removed
func liveFolder(t *testing.T, hls, uuid string, now time.Time) (keep, superseded []string) {
	t.Helper()
	if err := os.MkdirAll(hls, 0o750); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string, mtime time.Time) {
		t.Helper()
		p := filepath.Join(hls, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	link := func(from, to string) {
		t.Helper()
		if err := os.Link(filepath.Join(hls, from), filepath.Join(hls, to)); err != nil {
			t.Fatal(err)
		}
	}
	final := func(res string) string { return hardware.FragmentedName(uuid, res) }
	live := func(res, token string) string { return media.LiveName(uuid, res, token) }
	playlist := func(kind, file string) string {
		return "#EXTM3U\n#EXT-X-PLAYLIST-TYPE:" + kind + "\n#EXT-X-MAP:URI=\"" + file + "\",BYTERANGE=\"10@0\"\n" +
			"#EXTINF:2.0,\n#EXT-X-BYTERANGE:10@10\n" + file + "\n"
	}
	hour, minute := now.Add(-time.Hour), now.Add(-time.Minute)

	write(final("720"), "new 720p bytes", hour)
	write(live("720", "00112233445566aa"), "old 720p bytes", now.Add(-2*time.Hour)) // the first encode
	write("720.m3u8", playlist("VOD", final("720")), hour)

	write(final("480"), "480p bytes", minute)
	link(final("480"), live("480", "0011223344556677"))
	write("480.m3u8", playlist("VOD", final("480")), minute)

	write(final("360"), "360p bytes", hour)
	link(final("360"), live("360", "8899aabbccddeeff"))
	write("360.m3u8", playlist("VOD", final("360")), hour)

	write(live("240", "1111111111111111"), "240p growing", now)
	write("240.m3u8", playlist("EVENT", live("240", "1111111111111111")), now)
	write(live("240", "2222222222222222"), "240p withdrawn", hour)

	write(".live-"+live("144", "3333333333333333"), "144p", hour)
	write("master.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=1\n480.m3u8\n", hour)
	// Not ours to judge: another prefix, a name that only looks live.
	write(media.LiveName("other", "720", "00112233445566aa"), "x", hour)
	write(uuid+"-720-live-xyz.mp4", "x", hour)

	keep = []string{live("480", "0011223344556677"), live("240", "1111111111111111")}
	superseded = []string{live("720", "00112233445566aa"), live("360", "8899aabbccddeeff"),
		live("240", "2222222222222222"), ".live-" + live("144", "3333333333333333")}
	return keep, superseded
}

// missingListed reports what the folder's playlists name that is missing.
func missingListed(t *testing.T, hls string) []string {
	t.Helper()
	pls, _ := filepath.Glob(filepath.Join(hls, "*.m3u8"))
	var missing []string
	for _, pl := range pls {
		uris, err := playlistURIs(pl)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range uris {
			if _, err := os.Stat(filepath.Join(hls, u)); err != nil {
				missing = append(missing, u)
			}
		}
	}
	return missing
}

func present(hls string, names []string) (out []string) {
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(hls, n)); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// TestSupersededLiveFilesRemoved: the sweep removes the live files no
// playlist lists any more (past the grace for a live name of the final
// file), keeps the rest, and a crash in its middle leaves a playable
// video whose sweep the next start finishes.
func TestSupersededLiveFilesRemoved(t *testing.T) {
	const uuid = "7d3c1b9e-4f2a-4e51-9c3b-0a1b2c3d4e5f"
	now := time.Now()
	layout := config.Layout{Root: t.TempDir()}
	hls := layout.HLS(uuid)
	keep, superseded := liveFolder(t, hls, uuid, now)
	all, _ := os.ReadDir(hls)

	// A power cut after the first removal.
	removals := 0
	crash := errors.New("power cut")
	_, err := liveSweep{now: now, remove: func(p string) error {
		if removals++; removals > 1 {
			return crash
		}
		return os.Remove(p)
	}}.sweep(hls, uuid)
	if !errors.Is(err, crash) {
		t.Fatalf("sweep: %v", err)
	}
	if m := missingListed(t, hls); len(m) != 0 {
		t.Fatalf("after the crash the playlists name missing files: %v", m)
	}
	if left := present(hls, superseded); len(left) != len(superseded)-1 {
		t.Fatalf("the crash left %v", left)
	}

	// The next start finishes.
	s := &Service{Layout: layout, Log: slog.New(slog.DiscardHandler)}
	if err := s.SweepLiveFiles(context.Background()); err != nil {
		t.Fatal(err)
	}
	if left := present(hls, superseded); len(left) != 0 {
		t.Errorf("superseded live files left: %v", left)
	}
	if got := present(hls, keep); !slices.Equal(got, keep) {
		t.Errorf("kept %v, want %v", got, keep)
	}
	if m := missingListed(t, hls); len(m) != 0 {
		t.Errorf("the playlists name missing files: %v", m)
	}
	after, _ := os.ReadDir(hls)
	if len(after) != len(all)-len(superseded) {
		t.Errorf("%d files before, %d after: only the %d superseded may go", len(all), len(after), len(superseded))
	}

	// Past the grace, the live name of a final file goes too.
	if _, err := (liveSweep{now: now.Add(liveGrace), remove: os.Remove}).sweep(hls, uuid); err != nil {
		t.Fatal(err)
	}
	if got := present(hls, keep); !slices.Equal(got, keep[1:]) {
		t.Errorf("past the grace: kept %v, want %v", got, keep[1:])
	}
}

// TestLiveSweepLeavesARunningJobsFolder: the start sweep skips a video
// whose job holds its folder (a run links a live file before listing it),
// and the job sweeps it itself, before and after processing.
func TestLiveSweepLeavesARunningJobsFolder(t *testing.T) {
	ctx := context.Background()
	layout := config.Layout{Root: t.TempDir()}
	if err := layout.Prepare(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, layout.DB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "a", Email: "a@example.org", PasswordHash: "x", ChannelName: "a_ch"})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := &Service{Store: st.Repo(), Layout: layout, Log: log}
	// A video whose original is gone: its job fails at once, after the
	// sweeps around it.
	v := model.Video{UUID: "5f4e3d2c-1b0a-4987-8654-3210fedcba98", ShortUUID: "x", ChannelID: ch.ID, Name: "v", OriginalFile: "missing.mp4"}
	if err := st.Videos.Create(ctx, &v); err != nil {
		t.Fatal(err)
	}
	hls := layout.HLS(v.UUID)
	_, superseded := liveFolder(t, hls, v.UUID, time.Now())

	unlock := s.folders.lock(v.UUID)
	if err := s.SweepLiveFiles(ctx); err != nil {
		t.Fatal(err)
	}
	if left := present(hls, superseded); len(left) != len(superseded) {
		t.Fatalf("the sweep touched a folder its job holds: %v left of %v", left, superseded)
	}
	unlock()

	payload, _ := json.Marshal(processPayload{VideoID: v.ID})
	if err := s.Handle(ctx, &jobs.Job{Payload: payload, MaxAttempts: 1, Attempts: 1}); !errors.Is(err, jobs.ErrPermanent) {
		t.Fatalf("job: %v", err)
	}
	if left := present(hls, superseded); len(left) != 0 {
		t.Errorf("the job left superseded live files: %v", left)
	}
}
