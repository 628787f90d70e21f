// Package wait polls a condition in tests, until it holds or time is up.
package wait

import (
	"testing"
	"time"
)

// Until polls cond every 100 ms until it holds, failing the test when it
// still does not after within.
func Until(t testing.TB, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s", within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
