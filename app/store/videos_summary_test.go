package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// A summary listing reads the same videos, in the same order, with the
// same values for everything a listing's JSON shows, and the description
// cut to its first SummaryDescriptionRunes characters (runes, not bytes).
func TestSummaryListingMatchesFull(t *testing.T) {
	ctx := context.Background()
	st, _ := open(t)
	seed(t, st, 30)
	long := strings.Repeat("é", 300)
	vs, _, err := st.Videos.List(ctx, repo.VideoQuery{Count: 1, Start: 2})
	if err != nil || len(vs) != 1 {
		t.Fatal(err, len(vs))
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE videos SET description = ?, support = 'give', original_file = 'x.webm' WHERE id = ?`, long, vs[0].ID); err != nil {
		t.Fatal(err)
	}
	for _, sort := range []string{"-publishedAt", "-trending", "trending", "name"} {
		q := repo.VideoQuery{Count: 25, Start: 2, Sort: sort}
		full, total, err := st.Videos.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		q.Summary = true
		sum, stotal, err := st.Videos.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(full) != len(sum) || total != stotal || len(sum) == 0 {
			t.Fatalf("%s: %d videos (total %d) summarised, %d (total %d) in full", sort, len(sum), stotal, len(full), total)
		}
		for i := range full {
			f, s := full[i], sum[i]
			want := f.Description
			if r := []rune(want); len(r) > repo.SummaryDescriptionRunes {
				want = string(r[:repo.SummaryDescriptionRunes])
			}
			if s.Description != want {
				t.Errorf("%s: video %d description %q, want %q", sort, f.ID, s.Description, want)
			}
			// What the listing's JSON reads, everything else zero.
			f.Description, f.OriginalName, f.OriginalFile, f.Size, f.IsAudio, f.HasThumbnail = s.Description, "", "", 0, false, false
			f.Meta.Support, f.Meta.CommentsPolicy, f.Meta.DownloadEnabled = "", 0, false
			f.Channel.Description, f.Channel.Support, f.Channel.CreatedAt = "", "", s.Channel.CreatedAt
			f.Channel.Account.UserID, f.Channel.Account.Description, f.Channel.Account.CreatedAt = 0, "", s.Channel.Account.CreatedAt
			if !reflect.DeepEqual(f, s) {
				t.Errorf("%s: video %d summarised as\n%+v\nwant\n%+v", sort, f.ID, s, f)
			}
		}
	}
}

// A summary search (the API's) finds the same videos as a full one, with
// what a listing's JSON shows, by a text match (ranked ids) and by the
// filters alone.
func TestSummarySearchMatchesFull(t *testing.T) {
	ctx := context.Background()
	st, _ := open(t)
	seed(t, st, 30)
	long := strings.Repeat("ü", 300)
	if _, err := st.DB().ExecContext(ctx, `UPDATE videos SET state = ?, published_at = created_at + id, description = ?, support = 'give'`, model.StatePublished, long); err != nil {
		t.Fatal(err)
	}
	for _, f := range []repo.VideoFilter{
		{Match: `"v"*`, Count: 25, Start: 1},
		{Match: `"v"*`, Count: 25, Sort: "-publishedAt"},
		{DurationMax: time.Hour, Count: 25, Start: 3},
	} {
		f.Privacies = []int{model.PrivacyPublic}
		full, total, err := st.Search().Videos(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		f.Summary = true
		sum, stotal, err := st.Search().Videos(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(full) != len(sum) || total != stotal || len(sum) == 0 {
			t.Fatalf("%+v: %d videos (total %d) summarised, %d (total %d) in full", f, len(sum), stotal, len(full), total)
		}
		for i := range full {
			f, s := full[i], sum[i]
			if want := string([]rune(long)[:repo.SummaryDescriptionRunes]); s.Description != want {
				t.Errorf("video %d description %q, want %q", f.ID, s.Description, want)
			}
			f.Description, f.OriginalName, f.OriginalFile, f.Size, f.IsAudio, f.HasThumbnail = s.Description, "", "", 0, false, false
			f.Meta.Support, f.Meta.CommentsPolicy, f.Meta.DownloadEnabled = "", 0, false
			f.Channel.Description, f.Channel.Support, f.Channel.CreatedAt = "", "", s.Channel.CreatedAt
			f.Channel.Account.UserID, f.Channel.Account.Description, f.Channel.Account.CreatedAt = 0, "", s.Channel.Account.CreatedAt
			if !reflect.DeepEqual(f, s) {
				t.Errorf("video %d summarised as\n%+v\nwant\n%+v", f.ID, s, f)
			}
		}
	}
}
