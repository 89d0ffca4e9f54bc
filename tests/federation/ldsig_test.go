package federation

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// signed is one activity as a Cabane sends it, with its actor's key.
type signed struct {
	Name         string `json:"name"`
	Body         string `json:"body"`
	PublicKeyPem string `json:"publicKeyPem"`
}

// pendingSigned reads the activities in's deliveries to host still wait
// with, each with its actor's public key (fetched from in, which must be
// running).
func pendingSigned(t *testing.T, in *instance, host string) []signed {
	t.Helper()
	var out []signed
	keys := map[string]string{}
	for _, d := range testrig.PendingDeliveries(t, in.Data) {
		if d.Host != host {
			continue
		}
		var act struct {
			Actor string `json:"actor"`
		}
		if err := json.Unmarshal(d.Body, &act); err != nil {
			t.Fatal(err)
		}
		if _, ok := keys[act.Actor]; !ok {
			var actor struct {
				PublicKey struct {
					PublicKeyPem string `json:"publicKeyPem"`
				} `json:"publicKey"`
			}
			req, _ := http.NewRequest(http.MethodGet, act.Actor, nil)
			req.Header.Set("Accept", "application/activity+json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			err = json.NewDecoder(res.Body).Decode(&actor)
			res.Body.Close()
			if err != nil || actor.PublicKey.PublicKeyPem == "" {
				t.Fatalf("key of %s: %d %v", act.Actor, res.StatusCode, err)
			}
			keys[act.Actor] = actor.PublicKey.PublicKeyPem
		}
		out = append(out, signed{Name: d.Type + " " + d.Object + " by " + act.Actor, Body: string(d.Body), PublicKeyPem: keys[act.Actor]})
	}
	return out
}

// peertubeChecks runs ldcheck.mjs (jsonld, as a PeerTube server checks a
// forwarded activity) on each activity and returns, by name, "" for a
// signature PeerTube takes, or why not.
func peertubeChecks(t *testing.T, acts []signed) map[string]string {
	t.Helper()
	in, err := json.Marshal(acts)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "ldcheck.mjs")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("ldcheck.mjs: %v\n%s", err, stderr.String())
	}
	var res []struct {
		Name  string `json:"name"`
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("ldcheck.mjs: %v\n%s", err, raw)
	}
	out := map[string]string{}
	for _, r := range res {
		if r.OK {
			out[r.Name] = ""
		} else {
			out[r.Name] = "refused: " + r.Error
		}
	}
	return out
}

// What a Cabane sends carries a linked-data signature that PeerTube's own
// check (its JSON-LD library, its context, its steps) takes: so when the
// origin of a video forwards a Cabane's comment or like on it to the
// video's followers, as PeerTube does, a PeerTube among them takes it
// rather than answering 403. The activities are the real ones, read from
// the delivery queue while their receiver is stopped: A's Update of its
// video (the whole Video object), its comment's Create and the Update of
// its channel (to C, a follower), then C's comments on A's video, the Delete of one, its
// Like, the Undo of it and its View (to A, the origin). A changed body is
// refused by the same check.
func TestPeerTubeTakesCabaneSignatures(t *testing.T) {
	t.Parallel()
	a := start(t, "abe")
	c := start(t, "coco")
	c.subscribe(t, a)
	a.waitFollowers(t, 1)
	uuid := a.upload(t, "Nuthatch upside down")
	c.waitVideo(t, uuid, "A's video", func(v video) bool { return !v.IsLocal })
	c.Stop()
	a.rename(t, uuid, "Nuthatch, upside down")
	a.comment(t, uuid, "Filmed from the kitchen <3")
	// Its channel's support text and a funding link (FEP-0ea0 links in
	// the Group).
	if code := a.api(t, http.MethodPut, "/api/v1/video-channels/"+a.channel(), map[string]any{"support": "Merci !",
		"fundingLinks": []map[string]string{{"kind": "liberapay", "label": "Liberapay", "url": "https://liberapay.com/abe"}}}, nil); code != http.StatusNoContent {
		t.Fatalf("A changes its channel's support: %d", code)
	}
	var acts []signed
	eventually(t, "A's Updates and comment wait for C", within, func() bool {
		acts = pendingSigned(t, a, c.Host)
		var update, note, group bool
		for _, s := range acts {
			update = update || strings.HasPrefix(s.Name, "Update "+a.URL("/videos/watch/"+uuid)+" ")
			note = note || strings.HasPrefix(s.Name, "Create "+a.URL("/videos/watch/"+uuid+"/comments/"))
			group = group || strings.HasPrefix(s.Name, "Update "+a.URL("/video-channels/"+a.channel())+" ")
		}
		return update && note && group
	})

	// A stops; C comes back and acts on A's video: its comment and like
	// wait for A.
	a.Stop()
	c.restart(t)
	c.comment(t, uuid, "Ils sont acrobates !")
	gone := c.comment(t, uuid, "Oops, wrong video")
	if code := c.api(t, http.MethodDelete, "/api/v1/videos/"+uuid+"/comments/"+strconv.FormatInt(gone.ID, 10), nil, nil); code != http.StatusNoContent {
		t.Fatalf("C deletes its comment: %d", code)
	}
	c.rate(t, uuid, "like")
	c.rate(t, uuid, "none")
	// The player's reports: a view counts once the clip has played.
	for i, at := range []float64{0, 1} {
		if i > 0 {
			time.Sleep(1100 * time.Millisecond)
		}
		if code := c.api(t, http.MethodPost, "/api/v1/videos/"+uuid+"/views", map[string]any{"currentTime": at}, nil); code != http.StatusNoContent {
			t.Fatalf("C watches A's video: %d", code)
		}
	}
	var fromC []signed
	eventually(t, "C's comments, their deletion, like, unlike and view wait for A", within, func() bool {
		fromC = pendingSigned(t, c, a.Host)
		var note, del, like, undo, view bool
		for _, s := range fromC {
			note = note || strings.HasPrefix(s.Name, "Create ") && strings.Contains(s.Body, "Ils sont acrobates")
			del = del || strings.HasPrefix(s.Name, "Delete ")
			like = like || strings.HasPrefix(s.Name, "Like "+a.URL("/videos/watch/"+uuid)+" ")
			undo = undo || strings.HasPrefix(s.Name, "Undo ")
			view = view || strings.HasPrefix(s.Name, "View "+a.URL("/videos/watch/"+uuid)+" ")
		}
		return note && del && like && undo && view
	})
	acts = append(acts, fromC...)

	// A forged copy: the same signature over another text.
	forged := fromC[0]
	for _, s := range fromC {
		if strings.Contains(s.Body, "Ils sont acrobates") {
			forged = s
		}
	}
	forged.Name = "forged"
	forged.Body = strings.Replace(forged.Body, "Ils sont acrobates", "Buy followers at spam.example", 1)
	acts = append(acts, forged)

	got := peertubeChecks(t, acts)
	for _, s := range acts {
		verdict, ok := got[s.Name]
		switch {
		case !ok:
			t.Errorf("%s: not checked", s.Name)
		case s.Name == "forged" && verdict == "":
			t.Errorf("a changed comment passed PeerTube's check")
		case s.Name != "forged" && verdict != "":
			t.Errorf("%s: %s\n%s", s.Name, verdict, s.Body)
		}
	}
	for _, s := range acts[:len(acts)-1] {
		t.Logf("checked as PeerTube checks a forwarded activity (%d bytes): %s", len(s.Body), s.Name)
	}
}
