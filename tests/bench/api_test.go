package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// uploadBody is a multipart body for /api/v1/videos/upload whose file part
// is read from file, streamed, with its exact length known up front so the
// request carries a Content-Length as browsers send it.
type uploadBody struct {
	io.Reader
	ContentType string
	Length      int64
}

func newUploadBody(name, fileName string, file io.Reader, fileSize int64) (uploadBody, error) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	for k, v := range map[string]string{"name": name, "privacy": "1"} {
		if err := mw.WriteField(k, v); err != nil {
			return uploadBody{}, fmt.Errorf("write field %s: %w", k, err)
		}
	}
	if _, err := mw.CreateFormFile("videofile", fileName); err != nil {
		return uploadBody{}, fmt.Errorf("file part header: %w", err)
	}
	// What mw.Close would write after the file's bytes; written by hand so
	// the file can stream between the two.
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	return uploadBody{
		Reader:      io.MultiReader(bytes.NewReader(head.Bytes()), file, bytes.NewReader([]byte(tail))),
		ContentType: mw.FormDataContentType(),
		Length:      int64(head.Len()) + fileSize + int64(len(tail)),
	}, nil
}

// upload posts body with the token and returns the status, the decoded
// answer and the moment the answer arrived (the "upload complete" instant).
func upload(t *testing.T, s *server, token string, body uploadBody) (int, map[string]any, time.Time) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL("/api/v1/videos/upload"), body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = body.Length
	req.Header.Set("Content-Type", body.ContentType)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	done := time.Now()
	if err != nil {
		t.Fatalf("upload answer: %v", err)
	}
	var res map[string]any
	_ = json.Unmarshal(raw, &res)
	return resp.StatusCode, res, done
}

// uploadFile uploads a clip from disk and returns the new video's UUID and
// the moment the upload's answer arrived.
func uploadFile(t *testing.T, s *server, token, path, name string) (string, time.Time) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	body, err := newUploadBody(name, filepath.Base(path), f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	code, res, done := upload(t, s, token, body)
	v, _ := res["video"].(map[string]any)
	id, _ := v["uuid"].(string)
	if code != http.StatusOK || id == "" {
		t.Fatalf("upload %s: %d %v", path, code, res)
	}
	return id, done
}

// apiVideo is the part of PeerTube's Video object the figures read.
type apiVideo struct {
	UUID  string `json:"uuid"`
	State struct {
		ID int `json:"id"`
	} `json:"state"`
	Error              string `json:"error"`
	StreamingPlaylists []struct {
		PlaylistURL string `json:"playlistUrl"`
		Files       []struct {
			Height int `json:"height"`
		} `json:"files"`
	} `json:"streamingPlaylists"`
}

func (v apiVideo) master() string {
	if len(v.StreamingPlaylists) == 0 {
		return ""
	}
	return v.StreamingPlaylists[0].PlaylistURL
}

// PeerTube's VideoState values the figures look for.
const (
	statePublished = 1
	stateFailed    = 7
)

func (s *server) video(t *testing.T, id string) apiVideo {
	t.Helper()
	var v apiVideo
	if code := testrig.GetJSON(t, s.URL("/api/v1/videos/"+id), &v); code != http.StatusOK {
		t.Fatalf("GET video %s: %d", id, code)
	}
	return v
}

// pollEvery is how often the figures poll the API: fine enough for a
// figure quoted in tenths of a second, coarse enough not to load the box.
const pollEvery = 50 * time.Millisecond

// waitFor polls the video until cond holds and returns it with the moment
// cond first held.
func (s *server) waitFor(t *testing.T, id string, timeout time.Duration, what string, cond func(apiVideo) bool) (apiVideo, time.Time) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var v apiVideo
	for time.Now().Before(deadline) {
		v = s.video(t, id)
		if v.State.ID == stateFailed {
			t.Fatalf("video %s failed: %s", id, v.Error)
		}
		if cond(v) {
			return v, time.Now()
		}
		time.Sleep(pollEvery)
	}
	t.Fatalf("video %s: %s did not happen within %s (last %+v)", id, what, timeout, v)
	return v, time.Time{}
}
