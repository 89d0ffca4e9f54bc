package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"strconv"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
)

// Supporter-only videos (#11) never federate as Videos (visibility.
// Federates); instead, when one is published, each of its creator's
// remote supporters gets a direct message: a Create{Note} addressed to
// them alone (no Public, no followers, no cc) with a Mention of them,
// which Mastodon and GoToSocial show as a private mention, carrying the
// video's title and their personal link. It goes to their inbox only.

// JobSupporterNote sends a supporter-only video's direct Notes.
const JobSupporterNote = "federation.supporter-note"

// SupporterNotes lists who still awaits a video's direct Note, makes their
// link's token, and records the sending (supporters.Service).
type SupporterNotes interface {
	Unnoted(ctx context.Context, accountID, videoID int64) ([]model.Supporter, error)
	Token(ctx context.Context, sp model.Supporter) (string, error)
	MarkNoted(ctx context.Context, videoID, supporterID int64) error
}

type supporterNoteJob struct {
	Video int64 `json:"video"`
}

// supporterOnly reports whether v is a published supporter-only video.
func supporterOnly(v model.Video) bool {
	return v.ID != 0 && v.Published() && v.Privacy == model.PrivacySupporters
}

// queueSupporterNotes queues, in tx, the direct Notes of a video that
// just became a published supporter-only one.
func (s *Service) queueSupporterNotes(ctx context.Context, tx *sql.Tx, before, after model.Video) error {
	if s.Supporters == nil || !supporterOnly(after) || supporterOnly(before) {
		return nil
	}
	if _, err := s.Jobs.EnqueueTx(ctx, tx, JobSupporterNote, supporterNoteJob{Video: after.ID},
		jobs.WithPriority(jobPriority), jobs.WithMaxAttempts(jobAttempts)); err != nil {
		return fmt.Errorf("queue supporter notes of video %d: %w", after.ID, err)
	}
	return nil
}

// HandleSupporterNote sends a video's direct Notes to the remote
// supporters not sent one yet, each signed by the creator's account.
func (s *Service) HandleSupporterNote(ctx context.Context, j *jobs.Job) error {
	var p supporterNoteJob
	if err := j.Decode(&p); err != nil {
		return fmt.Errorf("%w: %w", jobs.ErrPermanent, err)
	}
	if !s.On() || s.Supporters == nil {
		return nil
	}
	v, err := s.Videos.ByID(ctx, p.Video)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("video %d: %w", p.Video, err)
	}
	if !supporterOnly(v) || v.Channel.Remote() {
		return nil // public since (it federated as a Video), or not ours
	}
	sps, err := s.Supporters.Unnoted(ctx, v.Channel.AccountID, v.ID)
	if err != nil {
		return err
	}
	u := s.Identity.URIs()
	author := u.Abs(uris.Account(v.Channel.Account.Name))
	words := englishNote
	if s.NoteWords != nil {
		words = s.NoteWords(ctx, v.Channel.AccountID)
	}
	for _, sp := range sps {
		tok, err := s.Supporters.Token(ctx, sp)
		if err != nil {
			return err
		}
		note := supporterNote(words, author, u.Abs(uris.ShortWatch(v.ShortUUID)), u.Base()+"/s/"+tok, v, sp, s.now().UTC().Format("2006-01-02T15:04:05.000Z"))
		a := Activity{Context: vocab.NoteContext, Type: "Create", ID: createID(note.ID), Actor: author,
			Object: note, To: note.To, Cc: note.Cc}
		to := []federation.Recipient{{Actor: sp.ActorIRI, Inbox: sp.Inbox}}
		if err := s.send(ctx, federation.LocalActor{Key: accountKey(v.Channel.AccountID), IRI: author}, a, to); err != nil {
			return err
		}
		if err := s.Supporters.MarkNoted(ctx, v.ID, sp.ID); err != nil {
			return err
		}
	}
	return nil
}

// NoteWords are the two sentences of a supporter Note, in one language.
type NoteWords struct {
	NewVideo string // "New video for supporters:"
	YourLink string // "Your personal link:"
}

// englishNote is the Note's words when the creator's language is unknown.
var englishNote = NoteWords{NewVideo: "New video for supporters:", YourLink: "Your personal link:"}

// supporterNote is the direct Note to one supporter: to them alone,
// mentioning them, with the video's title and their link, in the
// creator's words.
func supporterNote(w NoteWords, author, watch, link string, v model.Video, sp model.Supporter, now string) vocab.Note {
	mention := "@" + sp.Name
	content := `<p><span class="h-card"><a href="` + html.EscapeString(sp.ActorIRI) + `" class="u-url mention">` +
		html.EscapeString(mention) + `</a></span> ` + html.EscapeString(w.NewVideo) + ` <a href="` + html.EscapeString(watch) + `">` +
		html.EscapeString(v.Name) + `</a><br>` + html.EscapeString(w.YourLink) + ` <a href="` + html.EscapeString(link) + `">` +
		html.EscapeString(link) + `</a></p>`
	return vocab.Note{Type: vocab.TypeNote, ID: author + "/supporter-notes/" + strconv.FormatInt(v.ID, 10) + "-" + strconv.FormatInt(sp.ID, 10),
		To: []string{sp.ActorIRI}, Cc: []string{}, Content: content, MediaType: "text/html", Published: now, Updated: now,
		URL: watch, AttributedTo: author, Tag: []vocab.Mention{{Type: "Mention", Href: sp.ActorIRI, Name: mention}}}
}
