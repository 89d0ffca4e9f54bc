package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"cabane.dev/cabane/app/markup"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
)

// maxFlagObjects bounds the reports one Flag makes (Mastodon names the
// account and a few of its posts).
const maxFlagObjects = 20

// flag handles Flag, a report from another server (PeerTube's
// process-flag, Mastodon's reports): one report in the moderation queue
// per object of this server it names (a video, a comment, an account),
// by the remote account, with the Flag's content as its reason. Objects
// that are nothing here are passed over; a Flag of nothing here is
// dropped.
func (s *Service) flag(ctx context.Context, a *activity) (Outcome, error) {
	var objects []json.RawMessage
	if len(a.Object) > 0 && a.Object[0] == '[' {
		if err := json.Unmarshal(a.Object, &objects); err != nil {
			return 0, fmt.Errorf("%w: Flag objects: %w", ErrMalformed, err)
		}
	} else {
		objects = []json.RawMessage{a.Object}
	}
	if len(objects) > maxFlagObjects {
		objects = objects[:maxFlagObjects]
	}
	var subjects []model.Abuse
	for _, o := range objects {
		sub, ok, err := s.flagged(ctx, idOf(o))
		if err != nil {
			return 0, err
		}
		if ok {
			subjects = append(subjects, sub)
		}
	}
	if len(subjects) == 0 {
		return Dropped, fmt.Errorf("%w: Flag of nothing here", errUnsupported)
	}
	reporter, err := s.remoteActor(ctx, a.actor)
	if err != nil {
		return 0, err
	}
	reason := flagReason(a.Content, reporter.Host)
	var filed []model.Abuse
	_, err = s.apply(ctx, a, func(tx *store.FollowsTx) error {
		accountID, err := putAccount(ctx, tx, reporter)
		if err != nil {
			return err
		}
		filed = filed[:0]
		for _, sub := range subjects {
			sub.ReporterAccountID, sub.Reason = accountID, reason
			if sub.CommentID != 0 {
				c, err := tx.Comment(ctx, sub.CommentID)
				if errors.Is(err, store.ErrNotFound) {
					continue
				} else if err != nil {
					return err
				}
				sub.FlaggedAccountID, sub.SubjectName = c.AccountID, c.Text
			}
			if err := tx.PutAbuse(ctx, &sub); err != nil {
				return err
			}
			filed = append(filed, sub)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if s.Reports != nil {
		for _, ab := range filed {
			s.Reports.Reported(ctx, ab)
		}
	}
	return Processed, nil
}

// flagged is what a flagged IRI names here: a federating video, a
// comment (local, or remote by its Note id; its author is read in the
// transaction), or a local account.
func (s *Service) flagged(ctx context.Context, iri string) (model.Abuse, bool, error) {
	if uuid, commentID, ok := s.videoRef(iri); ok {
		v, err := s.federatedVideo(ctx, uuid)
		if errors.Is(err, errUnsupported) {
			return model.Abuse{}, false, nil
		}
		if err != nil {
			return model.Abuse{}, false, err
		}
		if commentID != 0 {
			return model.Abuse{CommentID: commentID}, true, nil
		}
		return model.Abuse{VideoID: v.ID, FlaggedAccountID: v.Channel.AccountID, SubjectName: v.Name}, true, nil
	}
	if name, ok := strings.CutPrefix(s.localPath(iri), "/accounts/"); ok && !strings.Contains(name, "/") {
		acc, err := s.Locals.LocalAccount(ctx, name)
		if errors.Is(err, model.ErrNotFound) {
			return model.Abuse{}, false, nil
		}
		if err != nil {
			return model.Abuse{}, false, err
		}
		return model.Abuse{FlaggedAccountID: acc.ID, SubjectName: acc.Name}, true, nil
	}
	id, _, err := s.Store.CommentRef(ctx, iri)
	if errors.Is(err, store.ErrNotFound) {
		return model.Abuse{}, false, nil
	}
	return model.Abuse{CommentID: id}, err == nil, err
}

// flagReason is a report's reason from a Flag's content (HTML from
// Mastodon): plain text within PeerTube's 2 to 3,000 characters; a Flag
// without one says where it came from.
func flagReason(content, host string) string {
	r := markup.PlainText(content)
	if utf8.RuneCountInString(r) < 2 {
		return "Reported from " + host
	}
	if utf8.RuneCountInString(r) > 3000 {
		r = string([]rune(r)[:3000])
	}
	return r
}
