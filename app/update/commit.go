package update

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"
)

// PendingFor says whether version runs as a release that has yet to prove
// itself, and until when it may try.
func (d Dir) PendingFor(version string) (deadline time.Time, pending bool, err error) {
	st, err := d.Load()
	if err != nil {
		return time.Time{}, false, err
	}
	if !st.Pending || st.Current != version {
		return time.Time{}, false, nil
	}
	if st.Deadline.IsZero() {
		// Started without the launcher's first-attempt stamp (by hand):
		// the window runs from now.
		return time.Now().Add(HealthWindow), true, nil
	}
	return st.Deadline, true, nil
}

// Commit makes the pending release version the installed one and removes
// the releases that are neither current nor previous.
func (d Dir) Commit(version string) error {
	st, err := d.Load()
	if err != nil {
		return err
	}
	if !st.Pending || st.Current != version {
		return fmt.Errorf("commit %s: it is not the pending release", version)
	}
	st.Pending, st.Attempts, st.Deadline = false, 0, time.Time{}
	if err := d.Save(st); err != nil {
		return err
	}
	// The copy taken before the update is only for an automatic rollback.
	os.Remove(d.snapshot(version))
	entries, _ := os.ReadDir(string(d))
	for _, e := range entries {
		if e.IsDir() && e.Name() != st.Current && e.Name() != st.Previous {
			os.RemoveAll(d.release(e.Name()))
		}
	}
	return nil
}

// WaitHealthy asks url until it answers 200 or deadline passes.
func WaitHealthy(ctx context.Context, url string, deadline time.Time) error {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	client := &http.Client{Timeout: 5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s answered %s", url, resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("no health check by %s: %w", deadline.Format(time.TimeOnly), last)
		case <-time.After(250 * time.Millisecond):
		}
	}
}
