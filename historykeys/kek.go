// Package historykeys encrypts the payloads partnerops writes into Temporal
// histories (workflow inputs and results, activity inputs and results, update
// arguments and results, query results): each case's payloads under the data
// key of its partner, the payloads of no partner (renewal runs, sweeps)
// under the system key. Data keys live in PostgreSQL (history_keys), each
// wrapped by a key-encryption key (KEK) of the configuration; deregistering a
// partner deletes its data key, which shreds its histories.
package historykeys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KEK is a key-encryption key: it wraps and unwraps data keys. Its ID, a
// fingerprint of the key, is recorded with every key it wraps.
type KEK struct {
	ID   string
	aead cipher.AEAD
}

// ParseKEK reads a KEK from its base64 form (32 bytes: openssl rand -base64 32).
func ParseKEK(b64 string) (KEK, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil || len(raw) != 32 {
		return KEK{}, errors.New("a key-encryption key is 32 bytes in base64 (openssl rand -base64 32)")
	}
	aead, err := newAEAD(raw)
	if err != nil {
		return KEK{}, err
	}
	sum := sha256.Sum256(append([]byte("partnerops history KEK "), raw...))
	return KEK{ID: "kek_" + hex.EncodeToString(sum[:6]), aead: aead}, nil
}

// ParseKEKs reads the current KEK and the old ones still accepted to unwrap.
func ParseKEKs(current string, old []string) (KEK, []KEK, error) {
	kek, err := ParseKEK(current)
	if err != nil {
		return KEK{}, nil, fmt.Errorf("PARTNEROPS_HISTORY_KEK: %w", err)
	}
	var olds []KEK
	for i, o := range old {
		if strings.TrimSpace(o) == "" {
			continue
		}
		k, err := ParseKEK(o)
		if err != nil {
			return KEK{}, nil, fmt.Errorf("PARTNEROPS_HISTORY_OLD_KEKS (item %d): %w", i+1, err)
		}
		olds = append(olds, k)
	}
	return kek, olds, nil
}

// wrap seals a data key under the KEK, bound to the data key's ID.
func (k KEK) wrap(keyID string, dataKey []byte) []byte {
	return seal(k.aead, []byte(keyID), dataKey)
}

// unwrap opens a data key wrapped under the KEK.
func (k KEK) unwrap(keyID string, wrapped []byte) ([]byte, error) {
	return open(k.aead, []byte(keyID), wrapped)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// newDataKey is a fresh random AES-256 key.
func newDataKey() []byte {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	return key
}

// seal is nonce || AES-GCM(plain), authenticated with aad.
func seal(aead cipher.AEAD, aad, plain []byte) []byte {
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plain, aad)
}

func open(aead cipher.AEAD, aad, sealed []byte) ([]byte, error) {
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("sealed data too short")
	}
	return aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], aad)
}
