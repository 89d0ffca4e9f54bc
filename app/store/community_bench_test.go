package store

import (
	"context"
	"fmt"
	"testing"

	"cabane.dev/cabane/app/repo"
)

// BenchmarkCommentThreads reads the first page of a video's threads (with
// both totals and the reply counters) among 50,000 comments: 100 videos of
// 500 comments, a third of them replies.
func BenchmarkCommentThreads(b *testing.B) {
	st, _ := open(b)
	ctx := context.Background()
	seed(b, st, 100)
	_, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "c", Email: "c@example.org", PasswordHash: "h", ChannelName: "c_ch"})
	if err != nil {
		b.Fatal(err)
	}
	err = st.WithTx(ctx, func(tx *Tx) error {
		for v := int64(1); v <= 100; v++ {
			var thread int64
			for i := range 500 {
				q := `INSERT INTO comments(video_id, account_id, thread_id, in_reply_to, text, created_at, updated_at) VALUES (?, ?, NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?)`
				t := int64(v*1000 + int64(i))
				if i%3 == 0 || thread == 0 {
					res, err := tx.tx.ExecContext(ctx, q, v, ch.AccountID, 0, 0, fmt.Sprintf("thread %d", i), t, t)
					if err != nil {
						return err
					}
					thread, _ = res.LastInsertId()
					continue
				}
				if _, err := tx.tx.ExecContext(ctx, q, v, ch.AccountID, thread, thread, "reply", t, t); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	cs := st.Comments()
	for _, sort := range []string{"-createdAt", "-totalReplies"} {
		b.Run(sort, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				page, total, _, err := cs.Threads(ctx, repo.CommentQuery{VideoID: int64(i%100 + 1), VideoOwnerAccountID: 1, Count: 15, Sort: sort})
				if err != nil || len(page) != 15 || total == 0 {
					b.Fatal(len(page), total, err)
				}
			}
		})
	}
	threads := map[int64]int64{}
	for v := int64(1); v <= 100; v++ {
		var th int64
		st.db.QueryRow("SELECT id FROM comments WHERE video_id = ? AND thread_id IS NULL ORDER BY id LIMIT 1", v).Scan(&th)
		threads[v] = th
	}
	b.Run("tree", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			vid := int64(i%100 + 1)
			if tr, err := cs.Thread(ctx, repo.CommentQuery{VideoID: vid}, threads[vid]); err != nil || len(tr) != 3 {
				b.Fatal(len(tr), err)
			}
		}
	})
}
