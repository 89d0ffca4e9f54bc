package redundancy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/httpclient"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// origin is a fake origin server on 127.0.0.1 serving one video: its
// Video object and its HLS files (a master, one media playlist, one
// fragmented MP4 addressed by byte ranges, the segments' hashes).
type origin struct {
	srv      *httptest.Server
	uuid     string
	segment  []byte
	tampered bool // serve the segment with one byte changed
	mu       sync.Mutex
	gets     int // file GETs
}

func newOrigin(t testing.TB) *origin {
	o := &origin{uuid: uuid.NewString(), segment: []byte(strings.Repeat("init", 64) + strings.Repeat("frames-", 2000))}
	o.srv = httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *origin) iri() string { return o.srv.URL + "/videos/watch/" + o.uuid }
func (o *origin) dir() string { return o.srv.URL + "/static/streaming-playlists/hls/" + o.uuid }

func (o *origin) serve(w http.ResponseWriter, r *http.Request) {
	seg := o.uuid + "-360-fragmented.mp4"
	switch strings.TrimPrefix(r.URL.Path, "/static/streaming-playlists/hls/"+o.uuid+"/") {
	case r.URL.Path:
		if r.URL.Path != "/videos/watch/"+o.uuid {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		fmt.Fprintf(w, `{"id":%q,"type":"Video","attributedTo":[{"type":"Person","id":%q},{"type":"Group","id":%q}],
			"url":[{"type":"Link","mediaType":"text/html","href":%q},{"type":"Link","mediaType":"application/x-mpegURL","href":%q,
			"tag":[{"type":"Link","name":"sha256","mediaType":"application/json","href":%q}]}]}`,
			o.iri(), o.srv.URL+"/accounts/owl", o.srv.URL+"/video-channels/owls", o.iri(), o.dir()+"/master.m3u8", o.dir()+"/segments-sha256.json")
		return
	case "master.m3u8":
		fmt.Fprint(w, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n360.m3u8\n")
	case "360.m3u8":
		fmt.Fprintf(w, "#EXTM3U\n#EXT-X-MAP:URI=%q,BYTERANGE=\"256@0\"\n#EXTINF:2,\n#EXT-X-BYTERANGE:%d@256\n%s\n#EXT-X-ENDLIST\n",
			seg, len(o.segment)-256, seg)
	case seg:
		b := append([]byte(nil), o.segment...)
		if o.tampered {
			b[300] ^= 1
		}
		w.Write(b)
	case "segments-sha256.json":
		sum := sha256.Sum256(o.segment[256:])
		json.NewEncoder(w).Encode(map[string]map[string]string{seg: {fmt.Sprintf("256-%d", len(o.segment)-1): hex.EncodeToString(sum[:])}})
	default:
		http.NotFound(w, r)
		return
	}
	o.mu.Lock()
	o.gets++
	o.mu.Unlock()
}

// Object fetches the Video (ObjectFetcher, unsigned here).
func (o *origin) Object(ctx context.Context, iri string) ([]byte, error) {
	resp, err := http.Get(iri)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	err = json.NewDecoder(resp.Body).Decode(&raw)
	return raw, err
}

type sender struct {
	mu   sync.Mutex
	sent []map[string]any
}

func (s *sender) Send(ctx context.Context, from federation.LocalActor, activity []byte, to []federation.Recipient) error {
	var m map[string]any
	if err := json.Unmarshal(activity, &m); err != nil {
		return err
	}
	s.mu.Lock()
	s.sent = append(s.sent, m)
	s.mu.Unlock()
	return nil
}

func (s *sender) types() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.sent {
		out = append(out, m["type"].(string))
	}
	return out
}

type queue struct{ payloads []json.RawMessage }

func (q *queue) Enqueue(ctx context.Context, kind string, payload any, opts ...jobs.EnqueueOption) (int64, error) {
	b, _ := json.Marshal(payload)
	q.payloads = append(q.payloads, b)
	return int64(len(q.payloads)), nil
}
func (q *queue) Register(string, jobs.Handler) {}

type followsAll struct{}

func (followsAll) ServerFollows(context.Context, string) (bool, error) { return true, nil }

type mrig struct {
	t      testing.TB
	st     *store.Store
	s      *Service
	o      *origin
	q      *queue
	sent   *sender
	free   int64
	video  model.Video
	mu     sync.Mutex
	origin string
}

// newMirrorRig is the service on a real store holding o's video as a
// remote video whose origin gave size for its files.
func newMirrorRig(t testing.TB, size int64) *mrig {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cabane.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := &mrig{t: t, st: st, o: newOrigin(t), q: &queue{}, sent: &sender{}, free: 100 << 30}
	host := strings.TrimPrefix(r.o.srv.URL, "http://")
	// The short UUID never all digits: a reference of digits alone is a
	// video's id (as PeerTube reads it), and 8 hex digits are all decimal
	// about one time in forty.
	v := model.Video{UUID: r.o.uuid, ShortUUID: "s" + r.o.uuid[:7], Name: "Owl at dusk", Privacy: model.PrivacyPublic, State: model.StatePublished,
		PublishedAt: time.Now(), Views: 12}
	err = st.Follows().Write(ctx, func(tx *store.FollowsTx) error {
		person := model.RemoteActor{IRI: r.o.srv.URL + "/accounts/owl", Type: "Person", PreferredUsername: "owl", Host: host, Inbox: r.o.srv.URL + "/accounts/owl/inbox"}
		pid, err := tx.PutActor(ctx, person)
		if err != nil {
			return err
		}
		owner, err := tx.PutRemoteAccount(ctx, pid, person)
		if err != nil {
			return err
		}
		group := model.RemoteActor{IRI: r.o.srv.URL + "/video-channels/owls", Type: "Group", PreferredUsername: "owls", Host: host}
		gid, err := tx.PutActor(ctx, group)
		if err != nil {
			return err
		}
		if v.ChannelID, err = tx.PutRemoteChannel(ctx, gid, owner, group); err != nil {
			return err
		}
		v.ID, err = tx.PutRemoteVideo(ctx, v, model.RemoteVideo{IRI: r.o.iri(), WatchURL: r.o.iri(), HLSURL: r.o.dir() + "/master.m3u8",
			Renditions: []model.RemoteRendition{{Height: 360, Size: size, Href: r.o.dir() + "/x.mp4"}}, UpdatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r.video = v
	client := httpclient.New(httpclient.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	r.s = &Service{Store: st.Redundancy(), Settings: st.Settings, Followed: followsAll{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Mirror: &Mirroring{Store: st.Redundancy(), Jobs: r.q, Fetch: r.o, HTTP: client, Sender: r.sent,
			URIs: uris.New("https://mirror.example"), Dir: filepath.Join(t.TempDir(), "redundancy"), LowDisk: 1 << 20,
			Free: func(string) (int64, bool) { r.mu.Lock(); defer r.mu.Unlock(); return r.free, true },
			Origin: func(ctx context.Context, iri string) (federation.Recipient, error) {
				r.mu.Lock()
				r.origin = iri
				r.mu.Unlock()
				return federation.Recipient{Actor: iri, Inbox: iri + "/inbox"}, nil
			}}}
	return r
}

var adminViewer = visibility.Viewer{UserID: 1, IsAdmin: true}

func (r *mrig) configure(strategy string, budget int64) {
	r.t.Helper()
	if err := r.s.SetMirroring(context.Background(), adminViewer, model.MirroringConfig{Strategy: strategy, Budget: budget,
		MinLifetime: 25 * time.Hour, MinViews: 1}); err != nil {
		r.t.Fatal(err)
	}
}

// runJobs runs the copies queued so far, as the queue would (first
// attempt of three).
func (r *mrig) runJobs() error {
	var last error
	for _, p := range r.q.payloads {
		if err := r.s.Handle(context.Background(), &jobs.Job{Kind: JobKind, Payload: p, Attempts: 1, MaxAttempts: 3}); err != nil {
			last = err
		}
	}
	r.q.payloads = nil
	return last
}

func (r *mrig) mirrored() []model.MirroredVideo {
	r.t.Helper()
	ms, _, err := r.s.MirroredList(context.Background(), adminViewer)
	if err != nil {
		r.t.Fatal(err)
	}
	return ms
}

func (r *mrig) dirEntries() []string {
	es, _ := os.ReadDir(r.s.Mirror.Dir)
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestCopyVerifiedServedAndAnnounced(t *testing.T) {
	r := newMirrorRig(t, 20000)
	ctx := context.Background()
	r.configure(model.StrategyMostViews, 1<<20)
	if len(r.q.payloads) != 1 {
		t.Fatalf("%d copies queued, want 1", len(r.q.payloads))
	}
	if err := r.runJobs(); err != nil {
		t.Fatal(err)
	}
	ms := r.mirrored()
	if len(ms) != 1 || ms[0].State != model.MirrorReady || ms[0].Size != int64(len(r.o.segment))+r.playlistBytes() {
		t.Fatalf("mirrored = %+v", ms)
	}
	dir, err := r.s.MirrorDir(ctx, r.o.uuid)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, r.o.uuid+"-360-fragmented.mp4"))
	if err != nil || string(got) != string(r.o.segment) {
		t.Fatalf("copied segment: %d bytes, %v", len(got), err)
	}
	if es := r.dirEntries(); len(es) != 1 || es[0] != r.o.uuid {
		t.Errorf("redundancy folder holds %v", es)
	}
	if types := r.sent.types(); len(types) != 1 || types[0] != "Create" {
		t.Fatalf("sent %v, want one Create", types)
	}
	cf := r.sent.sent[0]["object"].(map[string]any)
	if cf["type"] != "CacheFile" || cf["object"] != r.o.iri() || cf["id"] != "https://mirror.example/redundancy/streaming-playlists/hls/"+r.o.uuid ||
		cf["url"].(map[string]any)["href"] != "https://mirror.example/static/redundancy/hls/"+r.o.uuid {
		t.Errorf("CacheFile = %v", cf)
	}
	if r.origin != r.o.srv.URL+"/video-channels/owls" {
		t.Errorf("announced to %s, want the channel", r.origin)
	}
	// Another tick changes nothing: the copy is there and not expired.
	if err := r.s.Tick(ctx); err != nil || len(r.q.payloads) != 0 || len(r.sent.types()) != 1 {
		t.Errorf("second tick: %v, %d queued, sent %v", err, len(r.q.payloads), r.sent.types())
	}
	// Past its minimum lifetime it is renewed with an Update.
	r.s.Now = func() time.Time { return time.Now().Add(26 * time.Hour) }
	if err := r.s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if types := r.sent.types(); len(types) != 2 || types[1] != "Update" {
		t.Errorf("after the minimum lifetime: sent %v", types)
	}
	// The disk runs low: the mirror goes first, with an Undo.
	r.mu.Lock()
	r.free = 512 << 10
	r.mu.Unlock()
	if err := r.s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if ms := r.mirrored(); len(ms) != 0 {
		t.Errorf("disk low: still mirrored %+v", ms)
	}
	if es := r.dirEntries(); len(es) != 0 {
		t.Errorf("disk low: files left %v", es)
	}
	types := r.sent.types()
	if len(types) != 3 || types[2] != "Undo" {
		t.Fatalf("disk low: sent %v", types)
	}
	undo := r.sent.sent[2]["object"].(map[string]any)
	if undo["type"] != "Create" || undo["object"].(map[string]any)["id"] != cf["id"] {
		t.Errorf("Undo's object = %v", undo)
	}
}

func (r *mrig) playlistBytes() int64 {
	var n int64
	for _, f := range []string{"master.m3u8", "360.m3u8", "segments-sha256.json"} {
		resp, err := http.Get(r.o.dir() + "/" + f)
		if err != nil {
			r.t.Fatal(err)
		}
		k, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		n += k
	}
	return n
}

func TestTamperedCopyIsDropped(t *testing.T) {
	r := newMirrorRig(t, 20000)
	r.o.tampered = true
	r.configure(model.StrategyMostViews, 1<<20)
	if err := r.runJobs(); err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("copy of a tampered segment: %v", err)
	}
	if ms := r.mirrored(); len(ms) != 0 {
		t.Errorf("tampered copy kept: %+v", ms)
	}
	if es := r.dirEntries(); len(es) != 0 {
		t.Errorf("files left: %v", es)
	}
	if types := r.sent.types(); len(types) != 0 {
		t.Errorf("sent %v for a copy that failed", types)
	}
	// The next tick does not download it again.
	if err := r.s.Tick(context.Background()); err != nil || len(r.q.payloads) != 0 {
		t.Errorf("tick after a failed copy: %v, %d queued", err, len(r.q.payloads))
	}
}

func TestBudgetIsNeverExceeded(t *testing.T) {
	// The origin says how large: a budget below it starts nothing.
	r := newMirrorRig(t, 20000)
	r.configure(model.StrategyMostViews, 10000)
	if len(r.q.payloads) != 0 || len(r.mirrored()) != 0 {
		t.Fatalf("a 10 kB budget started a 20 kB copy")
	}
	// The origin understates it: the copy stops at the budget, and is
	// dropped.
	r = newMirrorRig(t, 100)
	r.configure(model.StrategyMostViews, 10000)
	if len(r.q.payloads) != 1 {
		t.Fatalf("%d copies queued", len(r.q.payloads))
	}
	if err := r.runJobs(); err == nil || !strings.Contains(err.Error(), "budget") {
		t.Fatalf("copy beyond the budget: %v", err)
	}
	if ms := r.mirrored(); len(ms) != 0 {
		t.Errorf("over-budget copy kept: %+v", ms)
	}
	if es := r.dirEntries(); len(es) != 0 {
		t.Errorf("files left: %v", es)
	}
	// Turned off: nothing left, nothing queued.
	r.configure("", 10000)
	if len(r.q.payloads) != 0 {
		t.Errorf("off, yet %d queued", len(r.q.payloads))
	}
	if err := r.s.SetMirroring(context.Background(), visibility.Viewer{UserID: 2}, model.MirroringConfig{Strategy: model.StrategyTrending,
		MinLifetime: time.Hour}); err != ErrForbidden {
		t.Errorf("set by a user: %v", err)
	}
	if err := r.s.SetMirroring(context.Background(), adminViewer, model.MirroringConfig{Strategy: "biggest", MinLifetime: time.Hour}); err == nil {
		t.Errorf("unknown strategy accepted")
	}
}

// A transcode that finds the disk full frees the mirrors first
// (videos.Service.DiskFull).
func TestDiskFullFreesMirrorsFirst(t *testing.T) {
	r := newMirrorRig(t, 20000)
	r.configure(model.StrategyMostViews, 1<<20)
	if err := r.runJobs(); err != nil || len(r.mirrored()) != 1 {
		t.Fatalf("copy: %v, %d mirrored", err, len(r.mirrored()))
	}
	r.s.FreeDisk(context.Background()) // plenty of room: nothing goes
	if len(r.mirrored()) != 1 {
		t.Fatalf("a disk with room lost its mirror")
	}
	r.mu.Lock()
	r.free = 0
	r.mu.Unlock()
	r.s.FreeDisk(context.Background())
	if ms, es := r.mirrored(), r.dirEntries(); len(ms) != 0 || len(es) != 0 {
		t.Errorf("disk full: mirrored %+v, files %v", ms, es)
	}
	if types := r.sent.types(); len(types) != 2 || types[1] != "Undo" {
		t.Errorf("sent %v", types)
	}
}

// PeerTube's PUT /server/redundancy/{host}: refusing a followed instance
// evicts its copies (Undo) and copies nothing more of it.
func TestRefusedInstanceIsNotCopied(t *testing.T) {
	r := newMirrorRig(t, 20000)
	ctx := context.Background()
	host := strings.TrimPrefix(r.o.srv.URL, "http://")
	r.configure(model.StrategyMostViews, 1<<20)
	if err := r.runJobs(); err != nil || len(r.mirrored()) != 1 {
		t.Fatalf("copy: %v", err)
	}
	if err := r.s.AllowCopiesFrom(ctx, visibility.Viewer{UserID: 2}, host, false); err != ErrForbidden {
		t.Errorf("by a user: %v", err)
	}
	if err := r.s.AllowCopiesFrom(ctx, adminViewer, host, false); err != nil {
		t.Fatal(err)
	}
	if ms := r.mirrored(); len(ms) != 0 {
		t.Errorf("refused instance still copied: %+v", ms)
	}
	if types := r.sent.types(); len(types) != 2 || types[1] != "Undo" {
		t.Errorf("sent %v", types)
	}
	if r.s.CopiesAllowed(ctx, host) || len(r.q.payloads) != 0 {
		t.Errorf("refused, yet allowed (%v) or queued (%d)", r.s.CopiesAllowed(ctx, host), len(r.q.payloads))
	}
	if err := r.s.AllowCopiesFrom(ctx, adminViewer, host, true); err != nil || !r.s.CopiesAllowed(ctx, host) || len(r.q.payloads) != 1 {
		t.Errorf("allowed again: %v, %d queued", err, len(r.q.payloads))
	}
}

// A copy whose files are gone (a backup restored: copies are not in
// backups) is forgotten, and its origin told.
func TestCopyWithoutFilesIsForgotten(t *testing.T) {
	r := newMirrorRig(t, 20000)
	r.configure(model.StrategyMostViews, 1<<20)
	if err := r.runJobs(); err != nil || len(r.mirrored()) != 1 {
		t.Fatalf("copy: %v", err)
	}
	if err := os.RemoveAll(filepath.Join(r.s.Mirror.Dir, r.o.uuid)); err != nil {
		t.Fatal(err)
	}
	r.s.failedCopy(r.video.ID) // not copied again within this test
	if err := r.s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ms := r.mirrored(); len(ms) != 0 {
		t.Errorf("copy without files kept: %+v", ms)
	}
	if types := r.sent.types(); len(types) != 2 || types[1] != "Undo" {
		t.Errorf("sent %v", types)
	}
}

// PeerTube's POST /server/redundancy/videos: the admin copies one remote
// video by hand. Only a remote public video, once; the copy does not
// expire (its CacheFile says so), stays when mirroring is off and beyond
// the strategies' budget, and goes when the disk runs low.
func TestMirrorByHand(t *testing.T) {
	r := newMirrorRig(t, 20000)
	ctx := context.Background()
	if err := r.s.MirrorByHand(ctx, visibility.Viewer{UserID: 2}, r.o.uuid); err != ErrForbidden {
		t.Errorf("by a user: %v", err)
	}
	if err := r.s.MirrorByHand(ctx, adminViewer, "no-such-video"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown video: %v", err)
	}
	local := model.Video{UUID: uuid.NewString(), ShortUUID: "loc4l", Name: "Ours", Privacy: model.PrivacyPublic, ChannelID: r.localChannel()}
	if err := r.st.Videos.Create(ctx, &local); err != nil {
		t.Fatal(err)
	}
	if err := r.s.MirrorByHand(ctx, adminViewer, local.UUID); !errors.Is(err, ErrLocalVideo) {
		t.Errorf("local video: %v", err)
	}
	// Mirroring is off (no strategy, no budget): the admin's choice is
	// copied all the same, by its id.
	if err := r.s.MirrorByHand(ctx, adminViewer, strconv.FormatInt(r.video.ID, 10)); err != nil {
		t.Fatal(err)
	}
	if err := r.s.MirrorByHand(ctx, adminViewer, r.video.ShortUUID); !errors.Is(err, ErrAlreadyMirrored) {
		t.Errorf("twice: %v", err)
	}
	if err := r.runJobs(); err != nil {
		t.Fatal(err)
	}
	ms := r.mirrored()
	if len(ms) != 1 || ms[0].State != model.MirrorReady || ms[0].Strategy != model.StrategyManual || !ms[0].ExpiresAt.IsZero() {
		t.Fatalf("mirrored = %+v", ms)
	}
	if types := r.sent.types(); len(types) != 1 || types[0] != "Create" {
		t.Fatalf("sent %v", types)
	}
	if cf := r.sent.sent[0]["object"].(map[string]any); cf["expires"] != nil {
		t.Errorf("a copy that does not expire says expires %v", cf["expires"])
	}
	// Ticks with mirroring off, or a day later, keep it and renew nothing.
	r.s.Now = func() time.Time { return time.Now().Add(48 * time.Hour) }
	for range 2 {
		if err := r.s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	r.configure(model.StrategyMostViews, 1000) // a budget far below it
	if ms := r.mirrored(); len(ms) != 1 || len(r.sent.types()) != 1 {
		t.Fatalf("the admin's copy went: %+v, sent %v", ms, r.sent.types())
	}
	// The disk runs low: it goes, with an Undo.
	r.mu.Lock()
	r.free = 512 << 10
	r.mu.Unlock()
	if err := r.s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if ms := r.mirrored(); len(ms) != 0 {
		t.Errorf("disk low: still mirrored %+v", ms)
	}
	if types := r.sent.types(); len(types) != 2 || types[1] != "Undo" {
		t.Errorf("disk low: sent %v", types)
	}
}

// localChannel is a local user's channel on the rig's store.
func (r *mrig) localChannel() int64 {
	r.t.Helper()
	_, ch, err := r.st.Accounts.CreateUser(context.Background(), repo.NewUser{Username: "wren", Email: "w@example.org", PasswordHash: "x",
		ChannelName: "wren_channel"})
	if err != nil {
		r.t.Fatal(err)
	}
	return ch.ID
}
