package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/notifications"
	"cabane.dev/cabane/app/playlists"
	"cabane.dev/cabane/app/subscriptions"
	"cabane.dev/cabane/internal/testrig/openapi"
)

// socialRig is the community rig with the playlists, subscriptions and
// notifications services, every API response checked against PeerTube's
// OpenAPI document.
type socialRig struct {
	*communityRig
	contract *openapi.Contract
	notify   *notifications.Service
}

func newSocialRig(t *testing.T) *socialRig {
	t.Helper()
	cr := newCommunityRig(t)
	st := cr.store
	notify := &notifications.Service{Store: st.Notifications(), Videos: st.Videos, Comments: st.Comments(),
		Subscribers: st.Subscriptions(), Users: st.Accounts}
	cr.server.Comments.Notify = notify
	cr.videos.Published = notify
	cr.server.Playlists = &playlists.Service{Store: st.Playlists(), Videos: cr.videos, Accounts: cr.server.Accounts}
	cr.server.Subscriptions = &subscriptions.Service{Store: st.Subscriptions(), Channels: cr.server.Accounts, Videos: cr.videos}
	cr.server.Notifications = notify
	return &socialRig{communityRig: cr, contract: openapi.Load(t), notify: notify}
}

// call sends one API request as who ("" anonymous; else the session and
// its CSRF header, as the site's pages call the API) with a JSON body,
// checks the answer against the contract, and returns it.
func (sr *socialRig) call(t *testing.T, method, path, who string, body any) (int, []byte) {
	t.Helper()
	return sr.callChecked(t, method, path, who, body, true)
}

func (sr *socialRig) callChecked(t *testing.T, method, path, who string, body any, check bool) (int, []byte) {
	t.Helper()
	var raw []byte
	hdr := map[string]string{}
	if body != nil {
		raw, _ = json.Marshal(body)
		hdr["Content-Type"] = "application/json"
	}
	if who != "" {
		hdr[csrfHeader] = testCSRF
	}
	res, text := sr.send(t, method, path, bytes.NewReader(raw), hdr, who, who != "")
	if check {
		req, _ := http.NewRequest(method, sr.http.URL+path, io.NopCloser(bytes.NewReader(raw)))
		if err := sr.contract.Check(req, res.StatusCode, res.Header, []byte(text)); err != nil {
			t.Errorf("%v\nbody: %s", err, text)
		}
	}
	return res.StatusCode, []byte(text)
}

// decode calls and decodes a JSON answer into out, failing unless the
// status is want.
func (sr *socialRig) decode(t *testing.T, method, path, who string, body any, want int, out any) {
	t.Helper()
	code, text := sr.call(t, method, path, who, body)
	if code != want {
		t.Fatalf("%s %s as %q: %d, want %d: %s", method, path, who, code, want, text)
	}
	if out != nil {
		if err := json.Unmarshal(text, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, text)
		}
	}
}

// complete fails for each field the contract lists that a 200 answer lacks.
func (sr *socialRig) complete(t *testing.T, method, path, who string, allowed ...string) {
	t.Helper()
	code, text := sr.call(t, method, path, who, nil)
	if code != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, code, text)
	}
	req, _ := http.NewRequest(method, sr.http.URL+path, nil)
	missing, err := sr.contract.Complete(req, code, text, allowed...)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("%s %s lacks %s", method, path, strings.Join(missing, ", "))
	}
}

// channelOf is the first channel of a user.
func (sr *socialRig) channelOf(t *testing.T, who string) model.Channel {
	t.Helper()
	chs, err := sr.server.Accounts.ChannelsOf(t.Context(), sr.userAccount(t, who))
	if err != nil || len(chs) == 0 {
		t.Fatal("no channel", err)
	}
	return chs[0]
}
