package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation/redundancy"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/internal/testrig/seed"
)

// copyQueue records the copies queued (redundancy.Queue).
type copyQueue struct{ kinds []string }

func (q *copyQueue) Enqueue(_ context.Context, kind string, _ any, _ ...jobs.EnqueueOption) (int64, error) {
	q.kinds = append(q.kinds, kind)
	return int64(len(q.kinds)), nil
}
func (q *copyQueue) Register(string, jobs.Handler) {}

// PeerTube's POST /server/redundancy/videos: the admin copies one remote
// video by hand, with PeerTube's answers (addVideoRedundancyValidator),
// each checked against the OpenAPI document; the copy is then listed
// among the remote videos this box mirrors as a "manual" one that does
// not expire.
func TestRedundancyAddByHand(t *testing.T) {
	r := fedRig(t, fedPublicURL)
	q := &copyQueue{}
	m := &redundancy.Service{Store: r.store.Redundancy(), Settings: r.store.Settings,
		Mirror: &redundancy.Mirroring{Store: r.store.Redundancy(), Jobs: q, Dir: t.TempDir(), URIs: uris.New(fedPublicURL)}}
	r.server.Mirrors = m
	api := newAPIClient(t, r)
	remote := seed.RemoteVideo(t, r.store)
	local := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	post := func(who, body string) int {
		t.Helper()
		return api.do(http.MethodPost, "/api/v1/server/redundancy/videos", who, strings.NewReader(body), "application/json").Status
	}
	id := func(v model.Video) string { return `{"videoId":` + strconv.FormatInt(v.ID, 10) + `}` }
	for _, c := range []struct {
		name, who, body string
		want            int
	}{
		{"as a user", "user", id(remote), http.StatusForbidden},
		{"no videoId", "admin", `{}`, http.StatusBadRequest},
		{"videoId 0", "admin", `{"videoId":0}`, http.StatusBadRequest},
		{"videoId not an id", "admin", `{"videoId":"../x"}`, http.StatusBadRequest},
		{"unknown video", "admin", `{"videoId":987654}`, http.StatusNotFound},
		{"local video", "admin", id(local), http.StatusBadRequest},
	} {
		if st := post(c.who, c.body); st != c.want {
			t.Errorf("%s: %d, want %d", c.name, st, c.want)
		}
	}
	if len(q.kinds) != 0 {
		t.Fatalf("refused requests queued %v", q.kinds)
	}
	if st := post("admin", id(remote)); st != http.StatusNoContent {
		t.Fatalf("remote video: %d, want 204", st)
	}
	if len(q.kinds) != 1 || q.kinds[0] != redundancy.JobKind {
		t.Fatalf("queued %v, want one copy", q.kinds)
	}
	// Mirrored already (by its UUID, which PeerTube takes too): 409.
	if st := post("admin", `{"videoId":"`+remote.UUID+`"}`); st != http.StatusConflict {
		t.Errorf("twice: %d, want 409", st)
	}

	// Once copied it is listed, as PeerTube lists a manual redundancy.
	mv, err := r.store.Redundancy().MirroredByUUID(context.Background(), remote.UUID)
	if err != nil {
		t.Fatal(err)
	}
	mv.State, mv.Size = model.MirrorReady, 21000
	if err := r.store.Redundancy().SetMirrored(context.Background(), mv); err != nil {
		t.Fatal(err)
	}
	res := api.do(http.MethodGet, "/api/v1/server/redundancy/videos?target=remote-videos", "admin", nil, "")
	var list struct {
		Total int `json:"total"`
		Data  []struct {
			UUID         string `json:"uuid"`
			Redundancies struct {
				StreamingPlaylists []struct {
					Strategy  string     `json:"strategy"`
					FileURL   string     `json:"fileUrl"`
					ExpiresOn *time.Time `json:"expiresOn"`
				} `json:"streamingPlaylists"`
			} `json:"redundancies"`
		} `json:"data"`
	}
	if res.Status != http.StatusOK || json.Unmarshal(res.Body, &list) != nil || list.Total != 1 || list.Data[0].UUID != remote.UUID ||
		len(list.Data[0].Redundancies.StreamingPlaylists) != 1 {
		t.Fatalf("remote-videos: %d %s", res.Status, res.Body)
	}
	if p := list.Data[0].Redundancies.StreamingPlaylists[0]; p.Strategy != model.StrategyManual || p.ExpiresOn != nil ||
		p.FileURL != fedPublicURL+"/static/redundancy/hls/"+remote.UUID {
		t.Errorf("listed as %+v, want a manual copy without expiry", p)
	}
	if !strings.Contains(string(res.Body), `"expiresOn":null`) {
		t.Errorf("expiresOn is not null: %s", res.Body)
	}
	// The admin's page says it was chosen by hand and lasts until removed.
	code, page := r.page(request{method: http.MethodGet, path: "/admin/federation", who: "admin"})
	if code != http.StatusOK || !strings.Contains(page, "chosen by hand") || !strings.Contains(page, "until removed") {
		t.Errorf("admin page: %d, the copy made by hand is not shown as such", code)
	}
}
