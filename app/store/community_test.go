package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// communityFixture is one video and n accounts (the first owns the video).
func communityFixture(t *testing.T, n int) (*Store, model.Video, []int64) {
	t.Helper()
	st, _ := open(t)
	ctx := context.Background()
	var accounts []int64
	var channel int64
	for i := range n {
		_, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: fmt.Sprintf("u%d", i), Email: fmt.Sprintf("u%d@example.org", i),
			PasswordHash: "h", ChannelName: fmt.Sprintf("u%d_ch", i)})
		if err != nil {
			t.Fatal(err)
		}
		accounts = append(accounts, ch.AccountID)
		if i == 0 {
			channel = ch.ID
		}
	}
	v := model.Video{UUID: "00000000-0000-4000-8000-000000000001", ShortUUID: "s1", ChannelID: channel, Name: "v", Privacy: model.PrivacyPublic}
	if err := st.Videos.Create(ctx, &v); err != nil {
		t.Fatal(err)
	}
	return st, v, accounts
}

// Concurrent ratings by many accounts leave the video's counters equal to
// the rating rows, whatever the interleaving.
func TestRatingCountersUnderConcurrency(t *testing.T) {
	const users = 24
	st, v, accounts := communityFixture(t, users)
	ctx := context.Background()
	r := st.Ratings()
	var wg sync.WaitGroup
	errs := make(chan error, users*4)
	for i, acc := range accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Everyone likes, half change their mind to a dislike, a
			// quarter of those then take it back.
			steps := []string{model.RatingLike}
			if i%2 == 0 {
				steps = append(steps, model.RatingDislike)
			}
			if i%4 == 0 {
				steps = append(steps, model.RatingNone)
			}
			for _, s := range steps {
				if _, _, err := r.Rate(ctx, acc, v.ID, s); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	likes, dislikes, err := r.Counts(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 12 odd accounts like; 6 accounts (i%2==0, i%4!=0) dislike.
	if likes != 12 || dislikes != 6 {
		t.Errorf("likes %d dislikes %d, want 12 and 6", likes, dislikes)
	}
	var rowsLike, rowsDislike int64
	st.db.QueryRow("SELECT COUNT(*) FILTER (WHERE type='like'), COUNT(*) FILTER (WHERE type='dislike') FROM video_rates WHERE video_id = ?", v.ID).Scan(&rowsLike, &rowsDislike)
	if rowsLike != likes || rowsDislike != dislikes {
		t.Errorf("rows %d/%d, counters %d/%d", rowsLike, rowsDislike, likes, dislikes)
	}
	got, err := st.Videos.ByID(ctx, v.ID)
	if err != nil || got.Likes != 12 || got.Dislikes != 6 {
		t.Errorf("video row: likes %d dislikes %d (%v)", got.Likes, got.Dislikes, err)
	}
	if mine, _ := r.RatingOf(ctx, accounts[1], v.ID); mine != model.RatingLike {
		t.Errorf("account 1 rating %q", mine)
	}
	if mine, _ := r.RatingOf(ctx, accounts[0], v.ID); mine != model.RatingNone {
		t.Errorf("account 0 rating %q", mine)
	}
	// Rating the same twice changes nothing.
	if l, d, _ := r.Rate(ctx, accounts[1], v.ID, model.RatingLike); l != 12 || d != 6 {
		t.Errorf("repeated like: %d/%d", l, d)
	}
	if _, _, err := r.Rate(ctx, accounts[1], 999, model.RatingLike); !errors.Is(err, ErrNotFound) {
		t.Errorf("rating a missing video: %v", err)
	}
}

func TestCommentThreadsCountersAndPlaceholders(t *testing.T) {
	st, v, acc := communityFixture(t, 3)
	ctx := context.Background()
	cs := st.Comments()
	owner, a, b := acc[0], acc[1], acc[2]
	mk := func(account, thread, reply int64, held bool) model.Comment {
		t.Helper()
		c := model.Comment{VideoID: v.ID, AccountID: account, ThreadID: thread, InReplyTo: reply, Text: "hi", HeldForReview: held}
		if err := cs.Create(ctx, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	t1 := mk(a, 0, 0, false)
	r1 := mk(owner, t1.ID, t1.ID, false)
	r2 := mk(b, t1.ID, r1.ID, false)
	t2 := mk(b, 0, 0, false)
	held := mk(b, 0, 0, true)

	q := repo.CommentQuery{VideoID: v.ID, VideoOwnerAccountID: owner, Count: 10}
	page, total, notDeleted, err := cs.Threads(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || notDeleted != 4 || len(page) != 2 || page[0].ID != t2.ID {
		t.Fatalf("stranger: total %d notDeleted %d page %v", total, notDeleted, page)
	}
	if page[1].TotalReplies != 2 || page[1].TotalRepliesFromVideoAuthor != 1 || page[1].Account.ID != a {
		t.Errorf("thread counters %+v", page[1])
	}
	// The author of the held comment and the owner see it.
	for _, qq := range []repo.CommentQuery{{VideoID: v.ID, ViewerAccountID: b, Count: 10}, {VideoID: v.ID, SeeHeld: true, Count: 10}} {
		if _, total, _, _ := cs.Threads(ctx, qq); total != 3 {
			t.Errorf("%+v: total %d, want 3 with the held one", qq, total)
		}
	}
	q.Sort = "-totalReplies"
	if page, _, _, _ := cs.Threads(ctx, q); page[0].ID != t1.ID {
		t.Errorf("-totalReplies puts %d first", page[0].ID)
	}
	if n, _ := cs.CommentsOf(ctx, v.ID); n != 4 {
		t.Errorf("video counter %d, want 4 (the held one is not counted)", n)
	}

	// Deleting r1 keeps its place: text and author gone, reply counted no more.
	if err := cs.MarkDeleted(ctx, r1.ID); err != nil {
		t.Fatal(err)
	}
	if err := cs.MarkDeleted(ctx, r1.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("second delete: %v", err)
	}
	tree, err := cs.Thread(ctx, repo.CommentQuery{VideoID: v.ID, VideoOwnerAccountID: owner}, t1.ID)
	if err != nil || len(tree) != 3 {
		t.Fatalf("thread: %v %v", tree, err)
	}
	if d := tree[1]; d.ID != r1.ID || !d.IsDeleted() || d.Text != "" || d.AccountID != 0 || d.Account.ID != 0 || d.TotalReplies != 1 {
		t.Errorf("placeholder %+v", d)
	}
	if tree[0].TotalReplies != 1 {
		t.Errorf("thread counts %d replies after a deletion, want 1", tree[0].TotalReplies)
	}
	if tree[2].InReplyTo != r1.ID || tree[2].ThreadID != t1.ID {
		t.Errorf("reply under placeholder %+v", tree[2])
	}
	if n, _ := cs.CommentsOf(ctx, v.ID); n != 3 {
		t.Errorf("video counter %d after a deletion, want 3", n)
	}

	// Approval counts the held comment; approving twice is a conflict.
	if err := cs.Approve(ctx, held.ID); err != nil {
		t.Fatal(err)
	}
	if err := cs.Approve(ctx, held.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("second approval: %v", err)
	}
	if n, _ := cs.CommentsOf(ctx, v.ID); n != 4 {
		t.Errorf("video counter %d after approval, want 4", n)
	}
	if _, total, _, _ := cs.Threads(ctx, repo.CommentQuery{VideoID: v.ID, Count: 10}); total != 3 {
		t.Errorf("stranger sees %d threads after approval, want 3", total)
	}
	_ = r2
}

// A video's threads are read from an index, never by scanning comments.
func TestCommentPlansUseIndexes(t *testing.T) {
	st, _, _ := communityFixture(t, 1)
	for _, q := range []string{
		"SELECT c.id FROM comments c WHERE c.video_id = 1 AND c.thread_id IS NULL ORDER BY c.created_at DESC, c.id DESC LIMIT 15",
		"SELECT c.id FROM comments c WHERE c.video_id = 1 AND (c.id = 3 OR c.thread_id = 3)",
		"SELECT COUNT(*) FROM comments r WHERE (r.in_reply_to = 3 OR r.thread_id = 3) AND r.deleted_at IS NULL",
	} {
		rows, err := st.db.Query("EXPLAIN QUERY PLAN " + q)
		if err != nil {
			t.Fatal(err)
		}
		var plan string
		for rows.Next() {
			var a, b, c int
			var d string
			rows.Scan(&a, &b, &c, &d)
			plan += d + "; "
		}
		rows.Close()
		if !contains(plan, "INDEX") || contains(plan, "SCAN c ") || contains(plan, "SCAN r ") {
			t.Errorf("%s: %s", q, plan)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
