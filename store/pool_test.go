package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"partnerops/internal/testdb"
	"partnerops/store"
)

// A pool larger than the server allows is refused at start, naming the
// setting and the limit; one within it opens.
func TestPoolLargerThanTheServerAllowsIsRefused(t *testing.T) {
	ctx := context.Background()
	_, url := testdb.New(t)
	_, err := store.OpenPool(ctx, url, store.Pool{MaxOpen: 100_000})
	if !errors.Is(err, store.ErrPoolTooLarge) {
		t.Fatalf("a pool of 100000 connections: %v, want ErrPoolTooLarge", err)
	}
	if !strings.Contains(err.Error(), "PARTNEROPS_DB_MAX_CONNS is 100000") || !strings.Contains(err.Error(), "max_connections") {
		t.Errorf("the refusal does not say what to change: %v", err)
	}
	if _, err := store.OpenPool(ctx, url, store.Pool{MaxOpen: 3, MaxIdle: 4}); err == nil || errors.Is(err, store.ErrPoolTooLarge) {
		t.Errorf("more idle than open connections: %v, want a refusal of the pool's shape", err)
	}
	st, err := store.OpenPool(ctx, url, store.Pool{MaxOpen: 3})
	if err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
}

// The pool keeps the connections a burst opened (idle = open), instead of
// closing all but two and opening new backends at the next burst.
func TestPoolKeepsTheConnectionsOfABurst(t *testing.T) {
	ctx := context.Background()
	_, url := testdb.New(t)
	st, err := store.OpenPool(ctx, url, store.Pool{MaxOpen: 6})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 6 {
		wg.Go(func() {
			<-start
			if _, err := st.DB().ExecContext(ctx, `SELECT pg_sleep(0.2)`); err != nil {
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	reg := prometheus.NewRegistry()
	reg.MustRegister(st.PoolCollector())
	const want = `
# HELP partnerops_db_connections PostgreSQL connections this process holds open, by state.
# TYPE partnerops_db_connections gauge
partnerops_db_connections{state="idle"} 6
partnerops_db_connections{state="in_use"} 0
# HELP partnerops_db_max_connections The most PostgreSQL connections this process opens (PARTNEROPS_DB_MAX_CONNS).
# TYPE partnerops_db_max_connections gauge
partnerops_db_max_connections 6
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "partnerops_db_connections", "partnerops_db_max_connections"); err != nil {
		t.Error(err)
	}
}
