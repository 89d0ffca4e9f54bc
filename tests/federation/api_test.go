package federation

import (
	"bufio"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// within is how long a federated effect may take to show: a delivery is a
// queued job (the queue looks every second), and the box is shared.
const within = 30 * time.Second

// video is what the videos API says of a video, as far as these tests
// look.
type video struct {
	UUID    string `json:"uuid"`
	Name    string `json:"name"`
	IsLocal bool   `json:"isLocal"`
	URL     string `json:"url"`
	Likes   int    `json:"likes"`
	State   struct {
		ID int `json:"id"`
	} `json:"state"`
	Channel struct {
		Name string `json:"name"`
		Host string `json:"host"`
	} `json:"channel"`
	StreamingPlaylists []struct {
		PlaylistURL  string `json:"playlistUrl"`
		Redundancies []struct {
			BaseURL string `json:"baseUrl"`
		} `json:"redundancies"`
	} `json:"streamingPlaylists"`
}

// comment is what the comments API says of a comment.
type comment struct {
	ID        int64  `json:"id"`
	Text      string `json:"text"`
	IsDeleted bool   `json:"isDeleted"`
	Account   struct {
		Name string `json:"name"`
		Host string `json:"host"`
	} `json:"account"`
}

type thread struct {
	Comment  comment  `json:"comment"`
	Children []thread `json:"children"`
}

// channel is the local handle of the instance's user's channel.
func (in *instance) channel() string { return in.User + "_channel" }

// handle is that channel's handle as other instances write it.
func (in *instance) handle() string { return in.channel() + "@" + in.Host }

// upload publishes the test clip on the instance as its user's video and
// waits until it is published; it returns its UUID.
func (in *instance) upload(t *testing.T, name string) string {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("name", name)
		mw.WriteField("privacy", "1")
		fw, _ := mw.CreateFormFile("videofile", "clip.mp4")
		if f, err := os.Open(clipPath); err == nil {
			io.Copy(fw, f)
			f.Close()
		}
		pw.CloseWithError(mw.Close())
	}()
	req, _ := http.NewRequest(http.MethodPost, in.URL("/api/v1/videos/upload"), pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+in.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	defer resp.Body.Close()
	var res struct {
		Video struct {
			UUID string `json:"uuid"`
		} `json:"video"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode != http.StatusOK || res.Video.UUID == "" {
		t.Fatalf("upload: %d %v %+v", resp.StatusCode, err, res)
	}
	eventually(t, "publication of "+name, 60*time.Second, func() bool {
		v, code := in.video(t, res.Video.UUID)
		return code == http.StatusOK && v.State.ID == 1
	})
	return res.Video.UUID
}

// video is GET /api/v1/videos/{uuid} as the instance's user.
func (in *instance) video(t *testing.T, uuid string) (video, int) {
	t.Helper()
	var v video
	code := in.api(t, http.MethodGet, "/api/v1/videos/"+uuid, nil, &v)
	return v, code
}

// subscriptionVideos is the user's subscriptions feed.
func (in *instance) subscriptionVideos(t *testing.T) []video {
	t.Helper()
	var page struct {
		Data []video `json:"data"`
	}
	if code := in.api(t, http.MethodGet, "/api/v1/users/me/subscriptions/videos?count=100", nil, &page); code != http.StatusOK {
		t.Fatalf("subscriptions/videos on %s: %d", in.Host, code)
	}
	return page.Data
}

// inFeed is the feed's entry for uuid.
func (in *instance) inFeed(t *testing.T, uuid string) (video, bool) {
	for _, v := range in.subscriptionVideos(t) {
		if v.UUID == uuid {
			return v, true
		}
	}
	return video{}, false
}

// unsubscribe stops following it.
func (in *instance) unsubscribe(t *testing.T, from *instance) {
	t.Helper()
	if code := in.api(t, http.MethodDelete, "/api/v1/users/me/subscriptions/"+url.PathEscape(from.handle()), nil, nil); code != http.StatusNoContent {
		t.Fatalf("%s unsubscribes from %s: %d", in.User, from.handle(), code)
	}
}

// followers is the count of remote followers of the user's channel, as
// its owner reads it.
func (in *instance) followers(t *testing.T) int {
	t.Helper()
	var ch struct {
		FollowersCount int `json:"followersCount"`
	}
	if code := in.api(t, http.MethodGet, "/api/v1/video-channels/"+in.channel(), nil, &ch); code != http.StatusOK {
		t.Fatalf("channel %s: %d", in.channel(), code)
	}
	return ch.FollowersCount
}

// waitFollowers waits until the user's channel has n remote followers.
func (in *instance) waitFollowers(t *testing.T, n int) {
	t.Helper()
	eventually(t, in.channel()+" has "+strconv.Itoa(n)+" followers", within, func() bool { return in.followers(t) == n })
}

// subscribe follows another instance's channel by its handle, and waits
// until that instance's Accept has come: a video's Create that comes
// before it is not taken (the channel is not followed yet).
func (in *instance) subscribe(t *testing.T, to *instance) {
	t.Helper()
	var refused map[string]any
	if code := in.api(t, http.MethodPost, "/api/v1/users/me/subscriptions", map[string]string{"uri": to.handle()}, &refused); code != http.StatusNoContent {
		t.Fatalf("%s subscribes to %s: %d %v", in.User, to.handle(), code, refused)
	}
	iri := to.URL("/video-channels/" + to.channel())
	eventually(t, in.User+"'s follow of "+to.handle()+" accepted", within, func() bool {
		return testrig.FollowState(t, in.Data, iri) == "accepted"
	})
}

// comment posts a new thread on a video and returns the comment.
func (in *instance) comment(t *testing.T, uuid, text string) comment {
	t.Helper()
	var res struct {
		Comment comment `json:"comment"`
	}
	if code := in.api(t, http.MethodPost, "/api/v1/videos/"+uuid+"/comment-threads", map[string]string{"text": text}, &res); code != http.StatusOK {
		t.Fatalf("%s comments on %s: %d", in.User, uuid, code)
	}
	return res.Comment
}

// reply answers a comment (by its id on this instance).
func (in *instance) reply(t *testing.T, uuid string, to int64, text string) comment {
	t.Helper()
	var res struct {
		Comment comment `json:"comment"`
	}
	if code := in.api(t, http.MethodPost, "/api/v1/videos/"+uuid+"/comments/"+strconv.FormatInt(to, 10), map[string]string{"text": text}, &res); code != http.StatusOK {
		t.Fatalf("%s replies on %s: %d", in.User, uuid, code)
	}
	return res.Comment
}

// threads are a video's comment threads as the instance lists them.
func (in *instance) threads(t *testing.T, uuid string) []comment {
	t.Helper()
	var page struct {
		Data []comment `json:"data"`
	}
	in.api(t, http.MethodGet, "/api/v1/videos/"+uuid+"/comment-threads", nil, &page)
	return page.Data
}

// thread is one thread's tree.
func (in *instance) thread(t *testing.T, uuid string, id int64) thread {
	t.Helper()
	var tr thread
	in.api(t, http.MethodGet, "/api/v1/videos/"+uuid+"/comment-threads/"+strconv.FormatInt(id, 10), nil, &tr)
	return tr
}

// waitThread waits until the instance lists a thread by author with text,
// and returns it.
func (in *instance) waitThread(t *testing.T, uuid string, author *instance, text string) comment {
	t.Helper()
	var found comment
	eventually(t, in.Host+" lists "+author.User+"'s comment", within, func() bool {
		for _, c := range in.threads(t, uuid) {
			if c.Text == text && c.Account.Name == author.User && c.Account.Host == author.Host {
				found = c
				return true
			}
		}
		return false
	})
	return found
}

// rate likes, dislikes or un-rates a video.
func (in *instance) rate(t *testing.T, uuid, rating string) {
	t.Helper()
	if code := in.api(t, http.MethodPut, "/api/v1/videos/"+uuid+"/rate", map[string]string{"rating": rating}, nil); code != http.StatusNoContent {
		t.Fatalf("%s rates %s %s: %d", in.User, uuid, rating, code)
	}
}

// rename edits a video's title.
func (in *instance) rename(t *testing.T, uuid, name string) {
	t.Helper()
	if code := in.api(t, http.MethodPut, "/api/v1/videos/"+uuid, map[string]string{"name": name}, nil); code != http.StatusNoContent {
		t.Fatalf("%s renames %s: %d", in.User, uuid, code)
	}
}

// remove deletes a video.
func (in *instance) remove(t *testing.T, uuid string) {
	t.Helper()
	if code := in.api(t, http.MethodDelete, "/api/v1/videos/"+uuid, nil, nil); code != http.StatusNoContent {
		t.Fatalf("%s deletes %s: %d", in.User, uuid, code)
	}
}

// waitVideo waits until the instance shows the remote video in its user's
// feed with cond holding, and returns what its API says of it.
func (in *instance) waitVideo(t *testing.T, uuid, what string, cond func(video) bool) video {
	t.Helper()
	var v video
	eventually(t, in.Host+": "+what, within, func() bool {
		var code int
		v, code = in.video(t, uuid)
		return code == http.StatusOK && cond(v)
	})
	return v
}

// waitGone waits until the instance no longer has the video, in its API
// nor its user's feed.
func (in *instance) waitGone(t *testing.T, uuid string) {
	t.Helper()
	eventually(t, in.Host+" drops "+uuid, within, func() bool {
		_, code := in.video(t, uuid)
		_, listed := in.inFeed(t, uuid)
		return code == http.StatusNotFound && !listed
	})
}

// playable checks that an HLS master playlist URL serves a playlist whose
// first variant and that variant's first segment answer: the player can
// play it from there.
func playable(t *testing.T, master string) {
	t.Helper()
	first := func(u string) string {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		sc := bufio.NewScanner(resp.Body)
		if !sc.Scan() || sc.Text() != "#EXTM3U" {
			t.Fatalf("%s is not an HLS playlist", u)
		}
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line != "" && !strings.HasPrefix(line, "#") {
				ref, err := url.Parse(line)
				if err != nil {
					t.Fatalf("%s: bad entry %q", u, line)
				}
				base, _ := url.Parse(u)
				return base.ResolveReference(ref).String()
			}
		}
		t.Fatalf("%s lists nothing", u)
		return ""
	}
	segment := first(first(master))
	resp, err := http.Get(segment)
	if err != nil {
		t.Fatalf("GET %s: %v", segment, err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || n == 0 {
		t.Fatalf("segment %s: %d, %d bytes", segment, resp.StatusCode, n)
	}
}
