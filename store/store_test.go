package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"

	"partnerops/internal/testdb"
)

// TestTransactionsAbortedByADeadlockRunAgain makes two transactions lock
// two rows in opposite orders: PostgreSQL aborts one to break the deadlock,
// and the store runs it again, so both succeed.
func TestTransactionsAbortedByADeadlockRunAgain(t *testing.T) {
	ctx := context.Background()
	st, _ := testdb.New(t)
	a, err := st.CreatePartner(ctx, "A", "cloud_reseller", "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.CreatePartner(ctx, "B", "cloud_reseller", "")
	if err != nil {
		t.Fatal(err)
	}
	var attempts atomic.Int32
	var bothHoldOne sync.WaitGroup
	bothHoldOne.Add(2)
	lockBoth := func(first, second string) func(tx *sqlx.Tx) error {
		firstAttempt := true
		return func(tx *sqlx.Tx) error {
			attempts.Add(1)
			if _, err := tx.ExecContext(ctx, `UPDATE partners SET name = name WHERE id = $1`, first); err != nil {
				return err
			}
			if firstAttempt { // meet the other transaction once, so the second locks cross
				firstAttempt = false
				bothHoldOne.Done()
				bothHoldOne.Wait()
			}
			_, err := tx.ExecContext(ctx, `UPDATE partners SET name = name WHERE id = $1`, second)
			return err
		}
	}
	errs := make(chan error, 2)
	go func() { errs <- st.InTx(ctx, lockBoth(a.ID, b.ID)) }()
	go func() { errs <- st.InTx(ctx, lockBoth(b.ID, a.ID)) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("a transaction failed instead of running again: %v", err)
		}
	}
	// At least one run again. A waiter on a row lock re-takes it only once
	// it is woken, so on a busy machine the aborted transaction's new run
	// can take the row first and cross the survivor again: a second
	// deadlock and a second run again are PostgreSQL behaving as it should.
	if got := attempts.Load(); got < 3 {
		t.Errorf("%d attempts, want at least 3: two transactions and one run again after the deadlock", got)
	}
}
