package videos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// ErrForbidden refuses an edit or a deletion by someone who may see the
// video but does not own it (PeerTube answers 403 then).
var ErrForbidden = errors.New("you cannot manage this video")

// Details is Get plus what only a video's own page shows (its tags).
func (s *Service) Details(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error) {
	v, err := s.Get(ctx, viewer, ref)
	if err != nil {
		return v, err
	}
	if v.Tags, err = s.Store.Videos.Tags(ctx, v.ID); err != nil {
		return v, fmt.Errorf("tags of video %s: %w", v.UUID, err)
	}
	return v, nil
}

// manageable is the video ref names, if viewer may edit it
// (visibility.Edit: never a remote video): not found when viewer may not
// even see it, ErrForbidden when they see it but may not change it.
func (s *Service) manageable(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error) {
	return s.allowed(ctx, viewer, ref, visibility.Edit)
}

// allowed is the video ref names if rule lets viewer act on it.
func (s *Service) allowed(ctx context.Context, viewer visibility.Viewer, ref string, rule func(visibility.Viewer, model.Video) bool) (model.Video, error) {
	v, err := s.Details(ctx, viewer, ref)
	if err != nil {
		return v, err
	}
	if !rule(viewer, v) {
		return v, ErrForbidden
	}
	return v, nil
}

// Update applies an edit (PUT /api/v1/videos/{id}) for its owner or an
// admin, and returns the video as stored.
func (s *Service) Update(ctx context.Context, viewer visibility.Viewer, ref string, e Edit) (model.Video, error) {
	v, err := s.manageable(ctx, viewer, ref)
	if err != nil {
		return v, err
	}
	before := v // as remote servers know it (Federate)
	if e.ChannelID != 0 && e.ChannelID != v.ChannelID {
		// Moving the video: to another channel of the same account.
		if _, err := s.uploadChannel(ctx, v.Channel.AccountID, e.ChannelID); err != nil {
			return v, err
		}
		v.ChannelID = e.ChannelID
	}
	ready, err := s.prepareImages(ctx, e.Images...)
	if err != nil {
		return v, err
	}
	wasProtected, wasPrivacy := v.Privacy == model.PrivacyPassword, v.Privacy
	e.Apply(&v)
	if v.Privacy != wasPrivacy || e.Passwords != nil {
		// Before the change lands: no grant outlives it (access.go).
		defer s.accessChanged(v.UUID)
		s.accessChanged(v.UUID)
	}
	if v.Privacy == model.PrivacyPassword && !wasProtected && e.Passwords == nil {
		return v, fieldErr("videoPasswords", "a password-protected video needs at least one password")
	}
	// Passwords first when the video becomes protected, so that it is
	// never protected by none; gone after it stops being protected.
	if v.Privacy == model.PrivacyPassword {
		if err := s.setPasswords(ctx, v, e.Passwords); err != nil {
			return v, fmt.Errorf("passwords of video %s: %w", v.UUID, err)
		}
	}
	err = s.Store.WithTx(ctx, func(tx repo.Tx) error {
		if err := tx.Videos.Update(ctx, v.ID, repo.VideoUpdate{ChannelID: v.ChannelID, Name: v.Name, Description: v.Description,
			Privacy: v.Privacy, Meta: v.Meta}); err != nil {
			return err
		}
		return s.federate(ctx, tx, before, false)
	})
	if err != nil {
		return v, fmt.Errorf("update video %s: %w", v.UUID, err)
	}
	if v.Privacy != model.PrivacyPassword && wasProtected {
		if err := s.setPasswords(ctx, v, nil); err != nil {
			return v, fmt.Errorf("passwords of video %s: %w", v.UUID, err)
		}
	}
	// The edit's Update is queued already: the picture's URL stays.
	if err := s.storeImages(ctx, v, ready, false); err != nil {
		return v, err
	}
	s.Log.Info("video updated", "video", v.UUID)
	if v.Privacy == model.PrivacySupporters && wasPrivacy != model.PrivacySupporters && v.Published() && s.Published != nil {
		// Out for the supporters now: they are told (once each, however
		// often the privacy goes back and forth).
		s.Published.VideoPublished(ctx, v.ID)
	}
	return s.Details(ctx, viewer, v.UUID)
}

// Delete removes a video for its owner or an admin: its processing stops,
// its row goes (renditions, tags and views with it), then its files. A
// crash between the two leaves a folder without a row, which the start-up
// sweep (SweepOrphans) removes: the video is gone either way.
// A remote video (visibility.Manage: the moderators alone, no local user
// owns it) is removed here only: the outbox sends nothing for it, and its
// origin keeps it.
func (s *Service) Delete(ctx context.Context, viewer visibility.Viewer, ref string) error {
	v, err := s.allowed(ctx, viewer, ref, visibility.Manage)
	if err != nil {
		return err
	}
	ids, err := s.Store.Videos.ActiveJobs(ctx, v.ID)
	if err != nil {
		return fmt.Errorf("jobs of video %s: %w", v.UUID, err)
	}
	for _, id := range ids {
		if err := s.Jobs.Cancel(ctx, id); err != nil && !errors.Is(err, jobs.ErrState) {
			return fmt.Errorf("stop processing video %s: %w", v.UUID, err)
		}
	}
	err = s.Store.WithTx(ctx, func(tx repo.Tx) error {
		if err := tx.Videos.Delete(ctx, v.ID); err != nil {
			return err
		}
		return s.federate(ctx, tx, v, true)
	})
	if err != nil {
		return fmt.Errorf("delete video %s: %w", v.UUID, err)
	}
	s.mu.Lock()
	delete(s.views, v.ID)
	delete(s.progress, v.ID)
	s.mu.Unlock()
	// The row is gone: the video is deleted whatever happens to its files.
	// A background writer (the web videos' mux just after publication) may
	// add a file while the folder is emptied: try again a few times, and
	// leave what still resists to the start-up sweep (SweepOrphans).
	dir := s.Layout.Video(v.UUID)
	for try := 0; ; try++ {
		err := os.RemoveAll(dir)
		if err == nil {
			break
		}
		if try == 4 {
			s.Log.Warn("video deleted, but not all its files; the next start removes them", "video", v.UUID, "err", err)
			break
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Duration(50<<try) * time.Millisecond):
		}
	}
	if err := durable.SyncDir(s.Layout.Media()); err != nil {
		return fmt.Errorf("remove the files of video %s: %w", v.UUID, err)
	}
	s.Log.Info("video deleted", "video", v.UUID, "by", viewer.UserID)
	return nil
}
