package clients

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// ensureNodeModules installs @peertube/peertube-cli from package-lock.json
// when `make deps-test` has not done it yet.
func ensureNodeModules(ctx context.Context, t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "node_modules", ".bin", "peertube-cli")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if _, err := run(ctx, t, dir, nil, "npm", "ci", "--no-audit", "--no-fund"); err != nil {
		t.Fatalf("npm ci in %s: %v", dir, err)
	}
	return bin
}

// TestPeerTubeCLI runs PeerTube's own command-line client from npm, as its
// README tells a creator to: remember the instance, upload a clip into a
// named channel with every metadata option, get a token. Each command must
// say it succeeded (the upload used to crash reading files[0]) and the API
// must then show the video with every field the options set, published
// and playable.
func TestPeerTubeCLI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cli := ensureNodeModules(ctx, t)
	in := newInstance(t)
	base := "http://" + in.Addr
	home := t.TempDir()
	// The cli keeps its instances in ~/.netrc and its settings under the
	// XDG config directory: a temporary HOME keeps the tester's own apart.
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "NO_COLOR=1"}
	peertube := func(args ...string) string {
		t.Helper()
		out, err := run(ctx, t, home, env, cli, args...)
		if err != nil {
			t.Fatalf("peertube-cli %s: %v\n%s", args[0], err, out)
		}
		return out
	}

	// The cli keeps passwords in ~/.netrc, whose tokens are split on
	// spaces: a creator with a space in her password cannot use it (the
	// administrator's is "correct horse"), so this is another creator.
	const user, pass, channel = "camille", "pique-nique-2026", "camille_channel" // create-user names the channel
	testrig.CreateUser(t, in.Data, user, pass, false)
	peertube("auth", "add", "-u", base, "-U", user, "--password", pass)
	if list := peertube("auth", "list"); !strings.Contains(list, base) {
		t.Fatalf("auth list does not show %s:\n%s", base, list)
	}

	file := testrig.MakeClip(t, filepath.Join(t.TempDir(), "pique-nique.mp4"), testrig.Clip{Seconds: 3})
	const name, support, desc = "Le pique-nique de l'été", "Un café pour la cabane ?", "Au bord de la rivière."
	out, err := run(ctx, t, home, env, cli, "upload", "--file", file, "--video-name", name, "--channel-name", channel,
		"--category", "15", "--licence", "1", "--language", "fr", "--tags", "été,rivière", "--support", support,
		"--video-description", desc, "--privacy", "1")
	// The cli prints its success line only after the upload answered and
	// the video it then reads back has files[0].torrentUrl: it waits for
	// PeerTube's torrent of the web video file, and crashed when files[]
	// was empty.
	if err != nil || !strings.Contains(out, "Video "+name+" uploaded.") {
		t.Fatalf("upload did not report success: %v\n%s", err, out)
	}

	tok := strings.TrimSpace(peertube("get-access-token", "--url", base, "--username", user, "--password", pass))
	auth := map[string]string{"Authorization": "Bearer " + tok}
	me := in.call(t, http.MethodGet, "/api/v1/users/me", auth, "", nil)
	want(t, "users/me with the cli's token", me, http.StatusOK)
	if u, _ := field(obj(t, me.Body), "username"); u != user {
		t.Fatalf("the cli's token is %v's, want %s's", u, user)
	}

	// Find the video in its channel, as anyone does once it is published.
	var id string
	testrig.WaitFor(t, 2*time.Minute, func() bool {
		var list struct{ Data []struct{ UUID string } }
		testrig.GetJSON(t, in.URL("/api/v1/video-channels/"+channel+"/videos"), &list)
		if len(list.Data) > 0 {
			id = list.Data[0].UUID
		}
		return id != ""
	})
	in.waitPublished(t, id)
	r := in.call(t, http.MethodGet, "/api/v1/videos/"+id, nil, "", nil)
	want(t, "video", r, http.StatusOK)
	v := obj(t, r.Body)
	for path, wantV := range map[string]any{
		"name": name, "channel.name": channel, "support": support, "description": desc,
		"language.id": "fr", "privacy.id": "1", "category.id": "15", "licence.id": "1", "state.id": "1",
	} {
		got, _ := field(v, path)
		if s, ok := got.(interface{ String() string }); ok {
			got = s.String()
		}
		if got != wantV {
			t.Errorf("%s = %v, want %v", path, got, wantV)
		}
	}
	tags, _ := field(v, "tags")
	if ts, _ := tags.([]any); !slices.Equal(ts, []any{"été", "rivière"}) {
		t.Errorf("tags = %v, want [été rivière]", tags)
	}

	// It plays: the master playlist answers and ffprobe reads a picture
	// through it.
	master, _ := field(v, "streamingPlaylists.0.playlistUrl")
	mu, _ := master.(string)
	resp, err := http.Get(mu)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("master playlist %q: %v %v", mu, err, resp)
	}
	resp.Body.Close()
	if probe, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "stream=height", "-of", "csv=p=0", mu).Output(); err != nil || strings.TrimSpace(string(probe)) == "" {
		t.Fatalf("ffprobe %s: %v %q", mu, err, probe)
	}
}
