package testrig

import (
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Upload posts file to PeerTube's upload API (/api/v1/videos/upload) with
// token and the form fields (name, privacy, ...), and returns the new
// video's UUID.
func (a *App) Upload(t testing.TB, token, file string, fields map[string]string) string {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		fw, err := mw.CreateFormFile("videofile", filepath.Base(file))
		if err == nil {
			var f *os.File
			if f, err = os.Open(file); err == nil {
				_, err = io.Copy(fw, f)
				f.Close()
			}
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(http.MethodPost, a.URL("/api/v1/videos/upload"), pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("upload %s: %v", file, err)
	}
	defer resp.Body.Close()
	var out struct {
		Video struct {
			UUID string `json:"uuid"`
		} `json:"video"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.Video.UUID == "" {
		t.Fatalf("upload %s: %d %v %+v", file, resp.StatusCode, err, out)
	}
	return out.Video.UUID
}

// WaitPublished waits until video uuid is published (state 1) as token's
// user sees it through the API; a failed transcoding fails the test.
func (a *App) WaitPublished(t testing.TB, token, uuid string, timeout time.Duration) {
	t.Helper()
	WaitFor(t, timeout, func() bool {
		req, _ := http.NewRequest(http.MethodGet, a.URL("/api/v1/videos/"+uuid), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var v struct {
			State struct {
				ID int `json:"id"`
			} `json:"state"`
			Error string `json:"error"`
		}
		if json.NewDecoder(resp.Body).Decode(&v) != nil {
			return false
		}
		if v.State.ID == 7 {
			t.Fatalf("video %s failed: %s", uuid, v.Error)
		}
		return v.State.ID == 1
	})
}
