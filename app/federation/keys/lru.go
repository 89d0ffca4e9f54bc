package keys

import (
	"container/list"
	"sync"
)

// lru is a bounded map of remote keys by keyId, the least recently used
// dropped first: an inbox under a flood of distinct keyIds keeps a fixed
// amount of memory.
type lru struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recent; values are *Remote
	byID  map[string]*list.Element
}

func newLRU(max int) *lru {
	return &lru{max: max, order: list.New(), byID: make(map[string]*list.Element, max)}
}

func (c *lru) get(keyID string) *Remote {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byID[keyID]
	if !ok {
		return nil
	}
	c.order.MoveToFront(e)
	return e.Value.(*Remote)
}

func (c *lru) put(r *Remote) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[r.KeyID]; ok {
		e.Value = r
		c.order.MoveToFront(e)
		return
	}
	c.byID[r.KeyID] = c.order.PushFront(r)
	for c.order.Len() > c.max {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.byID, old.Value.(*Remote).KeyID)
	}
}

func (c *lru) dropOwner(owner string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.order.Front(); e != nil; {
		next := e.Next()
		if r := e.Value.(*Remote); r.Owner == owner {
			c.order.Remove(e)
			delete(c.byID, r.KeyID)
		}
		e = next
	}
}

func (c *lru) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
