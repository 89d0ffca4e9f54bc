package auth

import (
	"context"
	"fmt"
	"runtime"
)

// hashMemory is what one argon2id computation allocates (argonMemoryKiB),
// the figure the gate is sized from.
const hashMemory = argonMemoryKiB * 1024

// Gate bounds how many password hashes run at once. Each argon2id hash takes
// 19 MiB for its duration: 200 concurrent logins without a bound took a
// server to 3.6 GB, which kills a 1–4 GB board. Waiting callers cost a few
// kilobytes each, and give up when their context ends (the client left).
type Gate struct {
	slots chan struct{}
}

// NewGate returns a gate admitting n hashes at once (at least 1).
func NewGate(n int) *Gate {
	return &Gate{slots: make(chan struct{}, max(n, 1))}
}

// Size is how many hashes may run at once.
func (g *Gate) Size() int { return cap(g.slots) }

// Do runs fn when a slot is free, or returns ctx's error if ctx ends first.
func (g *Gate) Do(ctx context.Context, fn func()) error {
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("wait for a password hashing slot: %w", context.Cause(ctx))
	}
	defer func() { <-g.slots }()
	fn()
	// The hash's 19 MiB are garbage now. Left to GOGC, the heap may grow to
	// twice its live size before they are reused: during a burst of
	// logins that was five or six hashes' worth of resident memory. A
	// collection costs about a millisecond on Cabane's small heap, next to
	// the tens of milliseconds of the hash.
	runtime.GC()
	return nil
}

// HashSlots sizes the gate from the machine (app passes the detected
// board's): half the cores (the other half keeps serving video while logins
// are hashed), and no more hashes than an eighth of the available memory
// holds, so a burst never takes more than that. memAvail 0 (unknown) leaves
// the bound to the cores. At least 1.
func HashSlots(cores int, memAvail uint64) int {
	n := (cores + 1) / 2
	if memAvail > 0 {
		n = min(n, int(memAvail/(8*hashMemory)))
	}
	return max(n, 1)
}
