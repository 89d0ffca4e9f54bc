package store

import (
	"context"
	"fmt"
	"testing"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

func seed(b testing.TB, st *Store, n int) {
	ctx := context.Background()
	_, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "a", Email: "a@example.org", PasswordHash: "h", ChannelName: "a_ch"})
	if err != nil {
		b.Fatal(err)
	}
	err = st.WithTx(ctx, func(tx *Tx) error {
		for i := range n {
			p := model.PrivacyPublic
			if i%10 == 8 {
				p = model.PrivacyPrivate
			}
			v := model.Video{UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), ShortUUID: fmt.Sprintf("s%021d", i), ChannelID: ch.ID, Name: "v", Privacy: p}
			if err := tx.Videos.Create(ctx, &v); err != nil {
				return err
			}
			if err := tx.Videos.AddRenditions(ctx, v.ID, model.Rendition{Name: "720p", Height: 720, Bandwidth: 1, Codecs: "x"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func BenchmarkList(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			st, _ := open(b)
			seed(b, st, n)
			ctx := context.Background()
			for b.Loop() {
				vs, total, err := st.Videos.List(ctx, repo.VideoQuery{Count: 25, Privacies: []int{model.PrivacyPublic, model.PrivacyLocal}})
				if err != nil || len(vs) != 25 || total == 0 {
					b.Fatal(err, len(vs), total)
				}
			}
		})
	}
}

// BenchmarkListShape compares the full rows (pages, feeds) with the
// summary a listing's JSON reads, on the same database in one run.
func BenchmarkListShape(b *testing.B) {
	st, _ := open(b)
	seed(b, st, 10000)
	ctx := context.Background()
	for _, summary := range []bool{false, true} {
		for _, sort := range []string{"-publishedAt", "-trending"} {
			b.Run(fmt.Sprintf("summary=%v/%s", summary, sort), func(b *testing.B) {
				q := repo.VideoQuery{Count: 25, Sort: sort, Summary: summary, Privacies: []int{model.PrivacyPublic, model.PrivacyLocal}}
				for b.Loop() {
					if vs, _, err := st.Videos.List(ctx, q); err != nil || len(vs) != 25 {
						b.Fatal(err, len(vs))
					}
				}
			})
		}
	}
}
