package jobs

// subscriberBuffer is how many events a slow subscriber may lag behind
// before events are dropped for it.
const subscriberBuffer = 64

// Subscribe returns a channel of job events and a function that ends the
// subscription (and closes the channel). The queue never waits for a
// subscriber: events that do not fit in its buffer are dropped, so a
// subscriber that must know the truth re-reads the job with Get.
func (q *Queue) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, subscriberBuffer)
	q.subMu.Lock()
	id := q.nextSub
	q.nextSub++
	q.subs[id] = ch
	q.subMu.Unlock()
	return ch, func() {
		q.subMu.Lock()
		defer q.subMu.Unlock()
		if _, ok := q.subs[id]; ok {
			delete(q.subs, id)
			close(ch)
		}
	}
}

func (q *Queue) publish(e Event) {
	q.subMu.Lock()
	defer q.subMu.Unlock()
	for _, ch := range q.subs {
		select {
		case ch <- e:
		default: // slow subscriber: drop rather than stall the queue
		}
	}
}
