package inbox

import (
	"context"
	"testing"
)

// BenchmarkReceiveReplay is one signed activity through the whole inbox
// with its key cached and its id already seen: signature check, actor and
// block checks, the dedupe transaction. It bounds what a burst of retried
// deliveries costs.
func BenchmarkReceiveReplay(b *testing.B) {
	r := newRig(b)
	rem := newRemote(b, false)
	body := r.mastodonFollow(rem)
	r.post(rem, "alice", body) // first delivery: key fetched, follow stored
	ctx := context.Background()
	// Signed once: the sender's RSA signing is not the inbox's cost (the
	// body is handed to Receive, the request's is never read).
	req := request(b, body, rem.keyID("alice"), rem.keys["alice"])
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if out, err := r.svc.Receive(ctx, req, body, Box{}); err != nil || out != Processed {
			b.Fatal(out, err)
		}
	}
}
