package federation

import (
	"strings"
	"testing"

	"cabane.dev/cabane/internal/testrig"
)

// firstRetry is A's first delivery retry in this test (the production
// schedule's is 30 s): the schedule scaled from it is 250 ms, 1 s, 5 s,
// 15 s, ..., and a host on hold waits 500 ms, doubling, instead of 1 min.
const firstRetry = "250ms"

// C follows A, then stops. A publishes and comments meanwhile: the
// deliveries to C fail, stay queued and are retried. A stops too: its
// queue is on disk, intact. C comes back on the same address, then A: the
// retries deliver, C lists the video and the comment, and A's queue to C
// empties.
func TestDeliveryWaitsForRestart(t *testing.T) {
	t.Parallel()
	a := start(t, "ada", "CABANE_DELIVERY_FIRST_RETRY="+firstRetry)
	c := start(t, "cyd")
	c.subscribe(t, a)
	a.waitFollowers(t, 1)

	c.Stop()
	uuid := a.upload(t, "Wren at the feeder")
	a.comment(t, uuid, "Filmed this morning")
	toC := func() []testrig.Delivery {
		var out []testrig.Delivery
		for _, d := range testrig.PendingDeliveries(t, a.Data) {
			if d.Host == c.Host {
				out = append(out, d)
			}
		}
		return out
	}
	// Both wait for C, tried and failed, and retried. (Once C's host is
	// on hold after a few failures in a row, one probe at a time tries
	// while the others wait without spending tries.)
	eventually(t, "A retries its deliveries to the stopped C", within, func() bool {
		var video, note, retried bool
		for _, d := range toC() {
			retried = retried || d.Tries >= 2 && d.LastError != ""
			if d.Type == "Create" {
				video = video || d.Object == a.URL("/videos/watch/"+uuid)
				note = note || strings.HasPrefix(d.Object, a.URL("/videos/watch/"+uuid+"/comments/"))
			}
		}
		return retried && video && note
	})

	// A stops while it still owes C: the deliveries wait in its database.
	owed := len(toC())
	a.Stop()
	if n := len(toC()); n != owed {
		t.Fatalf("%d deliveries to C left after A stopped, want %d", n, owed)
	}
	c.restart(t)
	a.restart(t)
	eventually(t, "C lists A's video after its restart", within, func() bool {
		v, ok := c.inFeed(t, uuid)
		return ok && !v.IsLocal && v.Channel.Host == a.Host
	})
	c.waitThread(t, uuid, a, "Filmed this morning")
	eventually(t, "A's queue to C empties", within, func() bool { return len(toC()) == 0 })
}
