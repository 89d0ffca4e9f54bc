package outbox_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/outbox"
	"cabane.dev/cabane/app/model"
)

// supporterList is alice's remote supporters, as supporters.Service
// answers (revoked ones are not listed: the store's Unnoted filters them).
type supporterList struct {
	mu    sync.Mutex
	sps   []model.Supporter
	noted map[[2]int64]bool
}

func (l *supporterList) Unnoted(_ context.Context, accountID, videoID int64) ([]model.Supporter, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []model.Supporter
	for _, sp := range l.sps {
		if sp.AccountID == accountID && !l.noted[[2]int64{videoID, sp.ID}] {
			out = append(out, sp)
		}
	}
	return out, nil
}

func (l *supporterList) Token(_ context.Context, sp model.Supporter) (string, error) {
	return "tok-" + sp.Nonce, nil
}

func (l *supporterList) MarkNoted(_ context.Context, videoID, supporterID int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.noted[[2]int64{videoID, supporterID}] = true
	return nil
}

var erin = model.Supporter{ID: 4, AccountID: alice.ID, Kind: model.SupporterRemote, ActorIRI: "https://masto.example/users/erin",
	Inbox: "https://masto.example/users/erin/inbox", Name: "erin@masto.example", Nonce: "erin"}

// A supporter-only video, once published, sends its remote supporter a
// Create{Note} addressed to them alone, mentioning them, with their link,
// delivered to their inbox only; the followers hear nothing of it, and an
// edit sends nothing again.
func TestSupporterOnlyVideoSendsADirectNote(t *testing.T) {
	r := newRig(t)
	r.ob.Supporters = &supporterList{sps: []model.Supporter{erin}, noted: map[[2]int64]bool{}}
	v := video(model.PrivacySupporters)
	r.dom.set(v)
	r.change(unpublished(model.PrivacySupporters), v)
	if js := r.jobsOf(outbox.JobVideo); len(js) != 0 {
		t.Fatalf("%d video jobs for a supporter-only video", len(js))
	}
	got := r.run(1)
	if len(got) != 1 {
		t.Fatalf("%d activities sent, want the one direct Note", len(got))
	}
	s := got[0]
	if s.From != (federation.LocalActor{Key: keys.Actor{Kind: keys.Account, ID: alice.ID}, IRI: accountIRI}) {
		t.Errorf("sent as %+v", s.From)
	}
	if len(s.To) != 1 || s.To[0] != (federation.Recipient{Actor: erin.ActorIRI, Inbox: erin.Inbox}) {
		t.Errorf("delivered to %+v, want erin's inbox only", s.To)
	}
	if strings.Contains(string(s.Raw), "#Public") || strings.Contains(string(s.Raw), "/followers") {
		t.Errorf("a direct Note names the public or followers: %s", s.Raw)
	}
	if s.Activity["type"] != "Create" || !same(strs(s.Activity["to"]), erin.ActorIRI) || len(strs(s.Activity["cc"])) != 0 {
		t.Errorf("activity %v to %v cc %v", s.Activity["type"], s.Activity["to"], s.Activity["cc"])
	}
	note, _ := s.Activity["object"].(map[string]any)
	tags, _ := note["tag"].([]any)
	tag, _ := func() (map[string]any, bool) {
		if len(tags) != 1 {
			return nil, false
		}
		m, ok := tags[0].(map[string]any)
		return m, ok
	}()
	if note["type"] != "Note" || !same(strs(note["to"]), erin.ActorIRI) || len(strs(note["cc"])) != 0 ||
		note["attributedTo"] != accountIRI || tag["type"] != "Mention" || tag["href"] != erin.ActorIRI {
		t.Errorf("the Note: %v", note)
	}
	content, _ := note["content"].(string)
	if !strings.Contains(content, base+"/s/tok-erin") || !strings.Contains(content, v.Name) {
		t.Errorf("the Note's content lacks the link or title: %s", content)
	}
	// An edit of the still supporter-only video: no second Note.
	r.change(v, v)
	if js := r.jobsOf(outbox.JobSupporterNote); len(js) != 1 {
		t.Errorf("%d supporter-note jobs after an edit, want the first only", len(js))
	}
}
