package store

import (
	"context"
	"fmt"
)

// DeliveryCounts is what is waiting for, and what was given up on, one
// remote host: the admin's delivery health page.
type DeliveryCounts struct {
	Queued   int // targets not tried yet (running ones included)
	Retrying int // targets that failed at least once and wait for a retry
	GivenUp  int // deliveries given up still on record (KeepFailures)
}

// HostCounts counts, per host, the deliveries waiting and those given up.
// A host appears when it has any; the page joins this to Hosts.
func (d *Delivery) HostCounts(ctx context.Context) (map[string]DeliveryCounts, error) {
	out := map[string]DeliveryCounts{}
	rows, err := d.q.QueryContext(ctx, `SELECT host, SUM(tries = 0), SUM(tries > 0) FROM delivery_targets GROUP BY host`)
	if err != nil {
		return nil, fmt.Errorf("count deliveries per host: %w", classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		var host string
		var c DeliveryCounts
		if err := rows.Scan(&host, &c.Queued, &c.Retrying); err != nil {
			return nil, fmt.Errorf("count deliveries per host: %w", classify(err))
		}
		out[host] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count deliveries per host: %w", classify(err))
	}
	rows.Close()
	failed, err := d.q.QueryContext(ctx, `SELECT host, COUNT(*) FROM delivery_failures GROUP BY host`)
	if err != nil {
		return nil, fmt.Errorf("count failed deliveries per host: %w", classify(err))
	}
	defer failed.Close()
	for failed.Next() {
		var host string
		var n int
		if err := failed.Scan(&host, &n); err != nil {
			return nil, fmt.Errorf("count failed deliveries per host: %w", classify(err))
		}
		c := out[host]
		c.GivenUp = n
		out[host] = c
	}
	if err := failed.Err(); err != nil {
		return nil, fmt.Errorf("count failed deliveries per host: %w", classify(err))
	}
	return out, nil
}
