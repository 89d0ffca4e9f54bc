package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func (a *apiClient) me(who string) apiUser {
	a.t.Helper()
	res := a.call(http.MethodGet, "/api/v1/users/me", who, nil, nil)
	var u apiUser
	if err := json.Unmarshal(res.Body, &u); err != nil {
		a.t.Fatalf("users/me: %d %s", res.Status, res.Body)
	}
	return u
}

func (a *apiClient) setQuota(who string, userID int64, quota, daily int64) int {
	a.t.Helper()
	b, _ := json.Marshal(map[string]int64{"videoQuota": quota, "videoQuotaDaily": daily})
	return a.call(http.MethodPut, fmt.Sprintf("/api/v1/users/%d", userID), who, b, map[string]string{"Content-Type": "application/json"}).Status
}

func nothingStored(t *testing.T, r *rig, what string) {
	t.Helper()
	up, _ := filepath.Glob(filepath.Join(r.layout.Uploads(), "*"))
	if left := append(up, resumableFiles(t, r.layout)...); len(left) != 0 {
		t.Errorf("%s: files stored: %v", what, left)
	}
}

func TestQuotas(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes a clip")
	}
	r, a := resumableRig(t)
	clipPath := clip(t, t.TempDir(), 160, 120, 1, 25)
	fi, err := os.Stat(clipPath)
	if err != nil {
		t.Fatal(err)
	}
	size := fi.Size()
	u := a.me("user")
	if u.VideoQuota != -1 || u.VideoQuotaDaily != -1 || u.VideoQuotaUsed != 0 {
		t.Fatalf("default quotas %+v, want unlimited and nothing used", u)
	}

	// Only an admin sets quotas.
	if st := a.setQuota("user", u.ID, -1, -1); st != http.StatusForbidden {
		t.Errorf("a user setting quotas: %d, want 403", st)
	}
	if st := a.setQuota("admin", u.ID, 1000, -1); st != http.StatusNoContent {
		t.Fatalf("admin setting quotas: %d", st)
	}
	if st := a.setQuota("admin", 99999, 1000, -1); st != http.StatusNotFound {
		t.Errorf("quota of no user: %d, want 404", st)
	}
	if got := a.me("user"); got.VideoQuota != 1000 || got.VideoQuotaDaily != -1 {
		t.Fatalf("after the admin's edit: %d / %d", got.VideoQuota, got.VideoQuotaDaily)
	}

	// Over the quota: 413 with PeerTube's message and code, nothing stored,
	// on both paths.
	_, res := a.initUpload("user", size)
	var p struct{ Detail, Code string }
	json.Unmarshal(res.Body, &p)
	if res.Status != http.StatusRequestEntityTooLarge || p.Code != "quota_reached" || p.Detail != "The user video quota is exceeded with this video." {
		t.Errorf("resumable init over quota: %d %s", res.Status, res.Body)
	}
	nothingStored(t, r, "resumable init over quota")
	res = a.uploadAPI("user", clipPath, map[string][]string{"name": {"Too much"}})
	json.Unmarshal(res.Body, &p)
	if res.Status != http.StatusRequestEntityTooLarge || p.Code != "quota_reached" {
		t.Errorf("multipart upload over quota: %d %s", res.Status, res.Body)
	}
	nothingStored(t, r, "multipart upload over quota")

	// Daily quota: room for one clip today, not two.
	if st := a.setQuota("admin", u.ID, -1, size+size/2); st != http.StatusNoContent {
		t.Fatalf("set daily quota: %d", st)
	}
	if res := a.uploadAPI("user", clipPath, map[string][]string{"name": {"Today's clip"}}); res.Status != http.StatusOK {
		t.Fatalf("upload within the daily quota: %d %s", res.Status, res.Body)
	}
	res = a.call(http.MethodGet, "/api/v1/users/me/video-quota-used", "user", nil, nil)
	var used quotaUsed
	if err := json.Unmarshal(res.Body, &used); err != nil || used.VideoQuotaUsed != size || used.VideoQuotaUsedDaily != size {
		t.Fatalf("quota used: %d %s, want %d both", res.Status, res.Body, size)
	}
	if _, res := a.initUpload("user", size); res.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("second upload of the day: %d, want 413", res.Status)
	}
	nothingStored(t, r, "over the daily quota")
	// The admin's uploads count against the admin alone.
	if got := a.me("admin"); got.VideoQuotaUsed != 0 {
		t.Errorf("admin's quota used: %d", got.VideoQuotaUsed)
	}
}

// An account the server blocks cannot upload, on either path, and nothing
// of its file is kept.
func TestBlockedAccountCannotUpload(t *testing.T) {
	r, a := resumableRig(t)
	clipPath := clip(t, t.TempDir(), 160, 120, 1, 25)
	fi, err := os.Stat(clipPath)
	if err != nil {
		t.Fatal(err)
	}
	blocked := a.me("user").Account.ID
	r.videos.ServerBlocked = func(_ context.Context, accountID int64) (bool, error) { return accountID == blocked, nil }
	if _, res := a.initUpload("user", fi.Size()); res.Status != http.StatusForbidden || !strings.Contains(string(res.Body), "blocked") {
		t.Errorf("resumable init by a blocked account: %d %s", res.Status, res.Body)
	}
	if res := a.uploadAPI("user", clipPath, map[string][]string{"name": {"Blocked"}}); res.Status != http.StatusForbidden || !strings.Contains(string(res.Body), "blocked") {
		t.Errorf("multipart upload by a blocked account: %d %s", res.Status, res.Body)
	}
	nothingStored(t, r, "upload by a blocked account")
	if _, res := a.initUpload("admin", fi.Size()); res.Status != http.StatusCreated {
		t.Errorf("the admin's upload: %d %s", res.Status, res.Body)
	}
}
