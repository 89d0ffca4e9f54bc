package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// searchFixture is a store with one channel ("Les Randonneurs") and the
// videos given, published.
type searchFixture struct {
	st      *Store
	channel model.Channel
	ids     map[string]int64 // name → id
}

func newSearchFixture(t *testing.T) *searchFixture {
	t.Helper()
	st, _ := open(t)
	_, ch, err := st.Accounts.CreateUser(context.Background(), repo.NewUser{Username: "marie", Email: "m@example.org", PasswordHash: "h",
		ChannelName: "randonneurs", ChannelDisplay: "Les Randonneurs"})
	if err != nil {
		t.Fatal(err)
	}
	return &searchFixture{st: st, channel: ch, ids: map[string]int64{}}
}

func (f *searchFixture) add(t *testing.T, v model.Video) model.Video {
	t.Helper()
	ctx := context.Background()
	n := len(f.ids) + 1
	v.UUID = fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
	v.ShortUUID = fmt.Sprintf("short%d", n)
	if v.ChannelID == 0 {
		v.ChannelID = f.channel.ID
	}
	if v.Privacy == 0 {
		v.Privacy = model.PrivacyPublic
	}
	if err := f.st.Videos.Create(ctx, &v); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Videos.AddRenditions(ctx, v.ID, model.Rendition{Name: "360p", Width: 640, Height: 360, Bandwidth: 1, Codecs: "avc1"}); err != nil {
		t.Fatal(err)
	}
	f.ids[v.Name] = v.ID
	return v
}

// find returns the names of the videos f finds, in order.
func (f *searchFixture) find(t *testing.T, q repo.VideoFilter) ([]string, int) {
	t.Helper()
	if q.Privacies == nil {
		q.Privacies = []int{model.PrivacyPublic}
	}
	if q.Count == 0 {
		q.Count = 100
	}
	vs, total, err := f.st.Search().Videos(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range vs {
		names = append(names, v.Name)
	}
	return names, total
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// Accents, case and prefixes: "ete" finds "Été", "VAC" finds "vacances",
// in every indexed column (name, description, tags, channel).
func TestSearchFoldsAccentsCaseAndPrefixes(t *testing.T) {
	f := newSearchFixture(t)
	f.add(t, model.Video{Name: "Été à la montagne", Description: "Randonnée en famille"})
	f.add(t, model.Video{Name: "Vacances", Meta: model.Meta{Tags: []string{"Forêt", "été"}}})
	f.add(t, model.Video{Name: "Hiver", Description: "Pas de soleil"})
	for _, c := range []struct {
		match string
		want  []string
	}{
		{`"ete"*`, []string{"Été à la montagne", "Vacances"}},
		{`"ÉTÉ"*`, []string{"Été à la montagne", "Vacances"}},
		{`"vac"*`, []string{"Vacances"}},
		{`"foret"*`, []string{"Vacances"}},
		{`"randonnee"*`, []string{"Été à la montagne"}},
		// The channel's display name and name.
		{`"randonneurs"*`, []string{"Été à la montagne", "Vacances", "Hiver"}},
		{`"soleil"* "hiv"*`, []string{"Hiver"}},
		{`"neige"*`, nil},
	} {
		got, total := f.find(t, repo.VideoFilter{Match: c.match})
		if !sameSet(got, c.want) || total != len(c.want) {
			t.Errorf("match %s: got %v (total %d), want %v", c.match, got, total, c.want)
		}
	}
}

// bm25 ranks a match in the name above one in the description, and a
// video where the words come up often above one where they come up once.
func TestSearchRanksByRelevance(t *testing.T) {
	f := newSearchFixture(t)
	f.add(t, model.Video{Name: "Un film", Description: "on y voit un chat au loin"})
	f.add(t, model.Video{Name: "Le chat", Description: "un chat, encore un chat"})
	f.add(t, model.Video{Name: "Mon chat", Description: "rien d'autre"})
	got, _ := f.find(t, repo.VideoFilter{Match: `"chat"*`, Sort: "-match"})
	if len(got) != 3 || got[0] != "Le chat" || got[2] != "Un film" {
		t.Fatalf("ranking: %v, want Le chat first and Un film last", got)
	}
	got, _ = f.find(t, repo.VideoFilter{Match: `"chat"*`, Sort: "match"})
	if got[0] != "Un film" {
		t.Errorf("ascending match: %v, want the least relevant first", got)
	}
	// Without a sort, a search ranks by relevance too.
	if got, _ = f.find(t, repo.VideoFilter{Match: `"chat"*`}); got[0] != "Le chat" {
		t.Errorf("default search order: %v", got)
	}
	got, _ = f.find(t, repo.VideoFilter{Match: `"chat"*`, Sort: "name"})
	if !slices.Equal(got, []string{"Le chat", "Mon chat", "Un film"}) {
		t.Errorf("by name: %v", got)
	}
}

// The index follows edits, tag changes, channel renames and deletions in
// the writing transaction.
func TestSearchIndexFollowsWrites(t *testing.T) {
	f := newSearchFixture(t)
	ctx := context.Background()
	v := f.add(t, model.Video{Name: "Premier essai", Meta: model.Meta{Tags: []string{"brouillon"}}})
	other := f.add(t, model.Video{Name: "Autre"})
	has := func(match string, want bool) {
		t.Helper()
		got, _ := f.find(t, repo.VideoFilter{Match: match})
		if slices.Contains(got, v.Name) != want {
			t.Errorf("match %s: got %v, want found=%v", match, got, want)
		}
	}
	has(`"brouillon"`, true)
	v.Name = "Version finale"
	if err := f.st.Videos.Update(ctx, v.ID, repo.VideoUpdate{ChannelID: v.ChannelID, Name: v.Name, Description: "montée au col",
		Privacy: model.PrivacyPublic, Meta: model.Meta{Tags: []string{"Col", "vélo"}, CommentsPolicy: 1}}); err != nil {
		t.Fatal(err)
	}
	has(`"premier"`, false)
	has(`"brouillon"`, false)
	has(`"finale"`, true)
	has(`"velo"`, true)
	has(`"montee"`, true)
	// Views and other counters leave the index alone (and it still finds).
	if err := f.st.Videos.AddViews(ctx, map[int64]int64{v.ID: 3}); err != nil {
		t.Fatal(err)
	}
	has(`"velo"`, true)
	// A renamed channel is found by its new name.
	if _, err := f.st.DB().ExecContext(ctx, "UPDATE channels SET display_name = 'Cyclistes du dimanche' WHERE id = ?", f.channel.ID); err != nil {
		t.Fatal(err)
	}
	has(`"cyclistes"`, true)
	has(`"finale" "dimanche"`, true)
	if err := f.st.Videos.Delete(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	has(`"finale"`, false)
	var rows int
	if err := f.st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM video_search").Scan(&rows); err != nil || rows != 1 {
		t.Errorf("index rows after deletion: %d (%v), want 1 (%q)", rows, err, other.Name)
	}
}

// Every filter PeerTube documents that applies.
func TestSearchFilters(t *testing.T) {
	f := newSearchFixture(t)
	day := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	f.add(t, model.Video{Name: "a", Duration: 30 * time.Second, Meta: model.Meta{Category: 1, Licence: 1, Language: "fr", Tags: []string{"Chat", "Jardin"}, NSFW: false, OriginallyPublishedAt: day(1)}})
	f.add(t, model.Video{Name: "b", Duration: 5 * time.Minute, Meta: model.Meta{Category: 2, Licence: 2, Language: "en", Tags: []string{"chat"}, NSFW: true}})
	f.add(t, model.Video{Name: "c", Duration: 20 * time.Minute, Meta: model.Meta{Category: 1, Tags: []string{"jardin"}}})
	ctx := context.Background()
	// Publication dates: a on the 10th, b on the 20th, c on the 30th.
	for name, d := range map[string]int{"a": 10, "b": 20, "c": 30} {
		if _, err := f.st.DB().ExecContext(ctx, "UPDATE videos SET published_at = ? WHERE id = ?", day(d).UnixMilli(), f.ids[name]); err != nil {
			t.Fatal(err)
		}
	}
	yes, no := true, false
	for _, c := range []struct {
		name string
		q    repo.VideoFilter
		want []string
	}{
		{"categoryOneOf", repo.VideoFilter{CategoryOneOf: []int{1}}, []string{"a", "c"}},
		{"categoryOneOf several", repo.VideoFilter{CategoryOneOf: []int{1, 2}}, []string{"a", "b", "c"}},
		{"licenceOneOf", repo.VideoFilter{LicenceOneOf: []int{2}}, []string{"b"}},
		{"languageOneOf", repo.VideoFilter{LanguageOneOf: []string{"fr"}}, []string{"a"}},
		{"languageOneOf _unknown", repo.VideoFilter{LanguageOneOf: []string{"_unknown", "en"}}, []string{"b", "c"}},
		{"tagsOneOf, any case", repo.VideoFilter{TagsOneOf: []string{"CHAT"}}, []string{"a", "b"}},
		{"tagsOneOf several", repo.VideoFilter{TagsOneOf: []string{"chat", "jardin"}}, []string{"a", "b", "c"}},
		{"tagsAllOf", repo.VideoFilter{TagsAllOf: []string{"chat", "jardin"}}, []string{"a"}},
		{"tagsAllOf repeated tag", repo.VideoFilter{TagsAllOf: []string{"chat", "Chat"}}, []string{"a", "b"}},
		{"nsfw true", repo.VideoFilter{NSFW: &yes}, []string{"b"}},
		{"nsfw false", repo.VideoFilter{NSFW: &no}, []string{"a", "c"}},
		{"durationMin", repo.VideoFilter{DurationMin: time.Minute}, []string{"b", "c"}},
		{"durationMax", repo.VideoFilter{DurationMax: 10 * time.Minute}, []string{"a", "b"}},
		{"duration range", repo.VideoFilter{DurationMin: time.Minute, DurationMax: 10 * time.Minute}, []string{"b"}},
		{"startDate", repo.VideoFilter{PublishedAfter: day(15)}, []string{"b", "c"}},
		{"endDate", repo.VideoFilter{PublishedBefore: day(25)}, []string{"a", "b"}},
		{"originallyPublished (falls back to publication)", repo.VideoFilter{OriginallyPublishedBefore: day(5)}, []string{"a"}},
		{"originallyPublishedStart", repo.VideoFilter{OriginallyPublishedAfter: day(15)}, []string{"b", "c"}},
		{"uuids", repo.VideoFilter{UUIDs: []string{"00000000-0000-4000-8000-000000000002"}}, []string{"b"}},
		{"channel", repo.VideoFilter{ChannelID: f.channel.ID}, []string{"a", "b", "c"}},
		{"account", repo.VideoFilter{AccountID: f.channel.AccountID + 1}, nil},
		{"filters and text", repo.VideoFilter{Match: `"chat"*`, CategoryOneOf: []int{2}}, []string{"b"}},
	} {
		got, total := f.find(t, c.q)
		if !sameSet(got, c.want) || total != len(c.want) {
			t.Errorf("%s: got %v (total %d), want %v", c.name, got, total, c.want)
		}
	}
	// Sorts and pages.
	got, total := f.find(t, repo.VideoFilter{Sort: "-duration", Count: 2, Start: 1})
	if !slices.Equal(got, []string{"b", "a"}) || total != 3 {
		t.Errorf("-duration page 2: %v (total %d)", got, total)
	}
	got, _ = f.find(t, repo.VideoFilter{Sort: "-publishedAt"})
	if !slices.Equal(got, []string{"c", "b", "a"}) {
		t.Errorf("-publishedAt: %v", got)
	}
	if _, total := f.find(t, repo.VideoFilter{SkipCount: true}); total != 0 {
		t.Errorf("skipCount gave a total %d", total)
	}
}

// Only the privacies asked for, and only published videos.
func TestSearchPrivaciesAndState(t *testing.T) {
	f := newSearchFixture(t)
	for _, p := range []int{model.PrivacyPublic, model.PrivacyUnlisted, model.PrivacyPrivate, model.PrivacyInternal, model.PrivacyLocal} {
		f.add(t, model.Video{Name: fmt.Sprintf("chat %d", p), Privacy: p})
	}
	ctx := context.Background()
	pending := model.Video{UUID: "00000000-0000-4000-8000-999999999999", ShortUUID: "pending", ChannelID: f.channel.ID, Name: "chat en cours", Privacy: model.PrivacyPublic}
	if err := f.st.Videos.Create(ctx, &pending); err != nil {
		t.Fatal(err)
	}
	got, _ := f.find(t, repo.VideoFilter{Match: `"chat"`, Privacies: []int{model.PrivacyPublic, model.PrivacyInternal}})
	if !sameSet(got, []string{"chat 1", "chat 4"}) {
		t.Errorf("public+internal: %v", got)
	}
	if _, _, err := f.st.Search().Videos(ctx, repo.VideoFilter{}); err == nil {
		t.Error("a filter without privacies was accepted")
	}
}

// Channels: by text (accents folded), by name, with the count of their
// listed videos, in PeerTube's sorts.
func TestSearchChannels(t *testing.T) {
	f := newSearchFixture(t)
	ctx := context.Background()
	if _, _, err := f.st.Accounts.CreateUser(ctx, repo.NewUser{Username: "paul", Email: "p@example.org", PasswordHash: "h",
		ChannelName: "cuisine", ChannelDisplay: "Cuisine économique"}); err != nil {
		t.Fatal(err)
	}
	f.add(t, model.Video{Name: "x"})
	f.add(t, model.Video{Name: "y", Privacy: model.PrivacyPrivate})
	s := f.st.Search()
	chs, total, err := s.Channels(ctx, repo.ChannelFilter{Match: `"econom"*`, Privacies: []int{model.PrivacyPublic}})
	if err != nil || total != 1 || len(chs) != 1 || chs[0].Name != "cuisine" {
		t.Fatalf("econom: %+v %d %v", chs, total, err)
	}
	chs, total, err = s.Channels(ctx, repo.ChannelFilter{Sort: "-videosCount", Privacies: []int{model.PrivacyPublic}})
	if err != nil || total != 2 || chs[0].Name != "randonneurs" || chs[0].VideosCount != 1 || chs[1].VideosCount != 0 {
		t.Fatalf("-videosCount: %+v %d %v", chs, total, err)
	}
	chs, _, _ = s.Channels(ctx, repo.ChannelFilter{Names: []string{"CUISINE"}})
	if len(chs) != 1 || chs[0].Account.Name != "paul" {
		t.Errorf("by name: %+v", chs)
	}
	chs, total, _ = s.Channels(ctx, repo.ChannelFilter{AccountID: f.channel.AccountID})
	if total != 1 || chs[0].ID != f.channel.ID {
		t.Errorf("by account: %+v", chs)
	}
	if _, err := f.st.DB().ExecContext(ctx, "UPDATE channels SET display_name = 'Pâtisserie' WHERE name = 'cuisine'"); err != nil {
		t.Fatal(err)
	}
	if chs, _, _ = s.Channels(ctx, repo.ChannelFilter{Match: `"patis"*`}); len(chs) != 1 {
		t.Errorf("renamed channel not found: %+v", chs)
	}
}

// Overview samples: categories, channels and tags with enough videos.
func TestSearchSamples(t *testing.T) {
	f := newSearchFixture(t)
	for i := range 4 {
		f.add(t, model.Video{Name: fmt.Sprint("v", i), Meta: model.Meta{Category: 3, Tags: []string{"Mer"}}})
	}
	f.add(t, model.Video{Name: "rare", Meta: model.Meta{Category: 7, Tags: []string{"mer", "rare"}}})
	cats, chans, tags, err := f.st.Search().Samples(context.Background(), []int{model.PrivacyPublic}, 2, 20)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cats, []int{3}) || !slices.Equal(chans, []int64{f.channel.ID}) || !slices.Equal(tags, []string{"mer"}) {
		t.Errorf("samples: %v %v %v", cats, chans, tags)
	}
}

// Migration 0007 indexes the videos and channels that existed before it.
func TestSearchMigrationIndexesExistingRows(t *testing.T) {
	ctx := context.Background()
	db, err := openDB(filepath.Join(t.TempDir(), "cabane.db"))
	if err != nil {
		t.Fatal(err)
	}
	st := &Store{db: db, counts: newCounts(), Aggregates: aggregates(db, db, newCounts())}
	st.stmts = newStmtCache(db)
	defer st.Close()
	old := fstest.MapFS{}
	for _, name := range []string{"0001_init.sql", "0002_list_indexes.sql", "0003_jobs_subject.sql", "0004_video_metadata.sql", "0005_community.sql", "0006_social.sql"} {
		b, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		old["migrations/"+name] = &fstest.MapFile{Data: b}
	}
	if err := st.migrateFrom(ctx, old, ""); err != nil {
		t.Fatal(err)
	}
	ch := oldSchemaChannel(t, db, "alice", "alice_ch", "Chez Alice")
	v := model.Video{UUID: "11111111-1111-4111-8111-111111111111", ShortUUID: "s1", ChannelID: ch.ID, Name: "Crêpes", Privacy: model.PrivacyPublic,
		Meta: model.Meta{Tags: []string{"Bretagne"}}}
	if err := st.Videos.Create(ctx, &v); err != nil {
		t.Fatal(err)
	}
	if err := st.Videos.AddRenditions(ctx, v.ID, model.Rendition{Name: "360p", Height: 360, Bandwidth: 1, Codecs: "avc1"}); err != nil {
		t.Fatal(err)
	}
	if err := st.migrateFrom(ctx, migrationFiles, ""); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{`"crepes"`, `"bretagne"`, `"alice"`} {
		vs, _, err := st.Search().Videos(ctx, repo.VideoFilter{Match: m, Privacies: []int{model.PrivacyPublic}})
		if err != nil || len(vs) != 1 {
			t.Errorf("after migration, %s: %d videos (%v)", m, len(vs), err)
		}
	}
	chs, _, err := st.Search().Channels(ctx, repo.ChannelFilter{Match: `"chez"`})
	if err != nil || len(chs) != 1 {
		t.Errorf("after migration, channel: %v %v", chs, err)
	}
}
