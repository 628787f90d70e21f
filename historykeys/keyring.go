package historykeys

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"sync"
	"time"

	"partnerops/store"
)

// ErrShredded is the error of a payload whose data key was destroyed: its
// partner was deregistered, and nobody can read it any more.
var ErrShredded = errors.New("the payload's data key was destroyed (its partner was deregistered)")

// KeyStore is where data keys are kept: *store.Store.
type KeyStore interface {
	WorkflowPartner(ctx context.Context, workflowID string) (string, error)
	HistoryKey(ctx context.Context, id string) (store.HistoryKey, error)
	EnsureHistoryKey(ctx context.Context, partnerID string, candidate store.HistoryKey) (store.HistoryKey, error)
}

// cacheTTL is how long a process keeps an unwrapped data key: a partner
// deregistered in another process stops being readable here within it.
const cacheTTL = time.Minute

// lookupTimeout bounds a key lookup (the SDK's codecs take no context).
const lookupTimeout = 5 * time.Second

// shreddedKeyID marks the payloads encoded for a partner already
// deregistered: sealed under a key that was never kept.
const shreddedKeyID = "hk_shredded"

// Keyring finds, creates and caches the data keys of the codec.
type Keyring struct {
	store   KeyStore
	current KEK
	keks    map[string]KEK // the current and the old ones, by ID

	mu       sync.Mutex
	partners map[string]string // workflow ID -> partner ID (a case's partner never changes)
	byOwner  map[string]cachedKey
	byID     map[string]cachedKey
}

type cachedKey struct {
	id      string
	partner string // "": the system key
	aead    cipher.AEAD
	at      time.Time
}

// NewKeyring is the keyring of a process: it wraps new data keys under
// current and unwraps under current or any of old.
func NewKeyring(st KeyStore, current KEK, old ...KEK) *Keyring {
	k := &Keyring{store: st, current: current, keks: map[string]KEK{current.ID: current},
		partners: map[string]string{}, byOwner: map[string]cachedKey{}, byID: map[string]cachedKey{}}
	for _, o := range old {
		k.keks[o.ID] = o
	}
	return k
}

// encryptionKey is the data key a payload of the workflow is sealed under:
// its case's partner's, or the system key. A deregistered partner's
// payloads get a throwaway key (shreddedKeyID).
func (k *Keyring) encryptionKey(workflowID string) (string, cipher.AEAD, error) {
	ctx, cancel := context.WithTimeout(context.Background(), lookupTimeout)
	defer cancel()
	partner, err := k.workflowPartner(ctx, workflowID)
	if err != nil {
		return "", nil, err
	}
	k.mu.Lock()
	c, ok := k.byOwner[partner]
	k.mu.Unlock()
	if ok && time.Since(c.at) < cacheTTL {
		return c.id, c.aead, nil
	}
	candidateID := store.NewID("hk")
	if partner == "" {
		candidateID = store.SystemHistoryKey
	}
	dataKey := newDataKey()
	row, err := k.store.EnsureHistoryKey(ctx, partner, store.HistoryKey{ID: candidateID, KEKID: k.current.ID, Wrapped: k.current.wrap(candidateID, dataKey)})
	if errors.Is(err, store.ErrNotFound) {
		aead, err := newAEAD(newDataKey())
		return shreddedKeyID, aead, err
	}
	if err != nil {
		return "", nil, fmt.Errorf("the data key of the history: %w", err)
	}
	aead, err := k.unwrap(row)
	if err != nil {
		return "", nil, err
	}
	c = cachedKey{id: row.ID, partner: partner, aead: aead, at: time.Now()}
	k.mu.Lock()
	k.byOwner[partner], k.byID[row.ID] = c, c
	k.mu.Unlock()
	return c.id, c.aead, nil
}

// Forget drops the partner's data key from the keyring's cache: the
// process that deregisters a partner reads its histories no more at once
// (the others within cacheTTL).
func (k *Keyring) Forget(partnerID string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.byOwner, partnerID)
	for id, c := range k.byID {
		if c.partner == partnerID {
			delete(k.byID, id)
		}
	}
}

// workflowPartner is the partner of the workflow's case ("": none).
func (k *Keyring) workflowPartner(ctx context.Context, workflowID string) (string, error) {
	if workflowID == "" {
		return "", nil
	}
	k.mu.Lock()
	partner, ok := k.partners[workflowID]
	k.mu.Unlock()
	if ok {
		return partner, nil
	}
	partner, err := k.store.WorkflowPartner(ctx, workflowID)
	if err != nil {
		return "", fmt.Errorf("the partner of workflow %s: %w", workflowID, err)
	}
	// kept, "" (no partner) too: a case is recorded before its workflow
	// starts, and the renewal run, which records its own, has no partner
	k.rememberPartner(workflowID, partner)
	return partner, nil
}

// rememberPartner keeps the partner of a workflow.
func (k *Keyring) rememberPartner(workflowID, partner string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.partners) >= 100_000 {
		k.partners = map[string]string{}
	}
	k.partners[workflowID] = partner
}

// decryptionKey is the data key id names, for a payload of the workflow;
// ErrShredded once destroyed. A partner's key tells the workflow's partner
// (a worker then needs no lookup to seal the workflow's next payloads).
func (k *Keyring) decryptionKey(workflowID, id string) (cipher.AEAD, error) {
	if id == shreddedKeyID {
		return nil, ErrShredded
	}
	k.mu.Lock()
	c, ok := k.byID[id]
	k.mu.Unlock()
	if ok && time.Since(c.at) < cacheTTL {
		if c.partner != "" && workflowID != "" {
			k.rememberPartner(workflowID, c.partner)
		}
		return c.aead, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), lookupTimeout)
	defer cancel()
	row, err := k.store.HistoryKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		k.mu.Lock()
		delete(k.byID, id)
		k.mu.Unlock()
		return nil, ErrShredded
	}
	if err != nil {
		return nil, fmt.Errorf("data key %s: %w", id, err)
	}
	aead, err := k.unwrap(row)
	if err != nil {
		return nil, err
	}
	var partner string
	if row.PartnerID != nil {
		partner = *row.PartnerID
	}
	k.mu.Lock()
	k.byID[id] = cachedKey{id: id, partner: partner, aead: aead, at: time.Now()}
	k.mu.Unlock()
	if partner != "" && workflowID != "" {
		k.rememberPartner(workflowID, partner)
	}
	return aead, nil
}

// unwrap opens a stored data key with the KEK that wrapped it.
func (k *Keyring) unwrap(row store.HistoryKey) (cipher.AEAD, error) {
	raw, err := k.unwrapRaw(row)
	if err != nil {
		return nil, err
	}
	return newAEAD(raw)
}

// unwrapRaw is the stored data key's bytes, unwrapped.
func (k *Keyring) unwrapRaw(row store.HistoryKey) ([]byte, error) {
	kek, ok := k.keks[row.KEKID]
	if !ok {
		return nil, fmt.Errorf("data key %s is wrapped by %s, which is neither PARTNEROPS_HISTORY_KEK nor one of PARTNEROPS_HISTORY_OLD_KEKS", row.ID, row.KEKID)
	}
	raw, err := kek.unwrap(row.ID, row.Wrapped)
	if err != nil {
		return nil, fmt.Errorf("unwrap data key %s: %w", row.ID, err)
	}
	return raw, nil
}
