package store

import (
	"context"
	"time"
)

// Hit counts one request against key in the fixed window of the given
// length that holds now, and answers the window's hits so far and its end.
// One upsert, atomic, so every API replica counts against the same limit;
// the key's earlier windows are deleted on the way.
func (s *Store) Hit(ctx context.Context, key string, window time.Duration, now time.Time) (int, time.Time, error) {
	start := now.UTC().Truncate(window)
	var hits int
	err := s.db.GetContext(ctx, &hits, `
		WITH gone AS (DELETE FROM rate_limit_hits WHERE key = $1 AND window_start < $2)
		INSERT INTO rate_limit_hits (key, window_start, hits) VALUES ($1, $2, 1)
		ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_hits.hits + 1
		RETURNING hits`, key, start)
	return hits, start.Add(window), err
}
