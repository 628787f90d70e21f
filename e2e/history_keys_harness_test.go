package e2e

import (
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/server/temporaltest"

	"partnerops/internal/testkeys"
	"partnerops/store"
)

// newTemporal is an embedded Temporal server whose default client (and
// the workers on it) encrypt payloads as partnerops does, with the tests'
// KEK over st's data keys. t may be nil (a benchmark).
func newTemporal(t *testing.T, st *store.Store) *temporaltest.TestServer {
	opts := []temporaltest.TestServerOption{
		temporaltest.WithBaseClientOptions(client.Options{DataConverter: testkeys.Keyring(st).DataConverter()}),
	}
	if t != nil {
		opts = append(opts, temporaltest.WithT(t))
	}
	return temporaltest.NewServer(opts...)
}
