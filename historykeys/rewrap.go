package historykeys

import (
	"context"

	"partnerops/store"
)

// Rewrap wraps every data key not yet under the keyring's current KEK
// under it (after a KEK rotation), and says how many it rewrapped. A key
// whose KEK is not in the keyring stops it: that KEK must be listed in
// PARTNEROPS_HISTORY_OLD_KEKS first.
func (k *Keyring) Rewrap(ctx context.Context, st *store.Store) (int, error) {
	rows, err := st.HistoryKeysNotUnder(ctx, k.current.ID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, row := range rows {
		raw, err := k.unwrapRaw(row)
		if err != nil {
			return n, err
		}
		done, err := st.RewrapHistoryKey(ctx, row.ID, row.KEKID, store.HistoryKey{KEKID: k.current.ID, Wrapped: k.current.wrap(row.ID, raw)})
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}
