// Package testkeys is the histories' encryption of the tests: one fixed
// key-encryption key, so that a history recorded by an end-to-end test
// (workflows/testdata) replays with the data keys saved beside it.
package testkeys

import (
	"partnerops/historykeys"
)

// KEK is the tests' key-encryption key (PARTNEROPS_HISTORY_KEK of the
// processes they start). Never a deployment's.
const KEK = "qDkzdUkdIzn+goPxeaIxNPa1tphYbAtUh8Y7brjwnzc="

// Env is the environment line that gives a partnerops process the KEK.
const Env = "PARTNEROPS_HISTORY_KEK=" + KEK

// Keyring is a keyring on st under KEK.
func Keyring(st historykeys.KeyStore) *historykeys.Keyring {
	kek, err := historykeys.ParseKEK(KEK)
	if err != nil {
		panic(err)
	}
	return historykeys.NewKeyring(st, kek)
}
