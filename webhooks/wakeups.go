package webhooks

import (
	"sync"

	"github.com/lib/pq"

	"partnerops/store"
)

// wakeups tells the drains of a worker when their endpoints have new
// deliveries: one PostgreSQL listener for all of them, open while any
// drain runs.
type wakeups struct {
	store    *store.Store
	mu       sync.Mutex
	listener *pq.Listener
	subs     map[string]map[chan struct{}]bool
}

// subscribe returns a channel that receives when the endpoint has new
// deliveries (or the listener reconnected and may have missed some), and
// the function that ends the subscription.
func (w *wakeups) subscribe(endpointID string) (<-chan struct{}, func(), error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.listener == nil {
		l, err := w.store.ListenDeliveries()
		if err != nil {
			return nil, nil, err
		}
		w.listener = l
		go w.forward(l)
	}
	if w.subs[endpointID] == nil {
		w.subs[endpointID] = map[chan struct{}]bool{}
	}
	ch := make(chan struct{}, 1)
	w.subs[endpointID][ch] = true
	return ch, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.subs[endpointID], ch)
		if len(w.subs[endpointID]) == 0 {
			delete(w.subs, endpointID)
		}
		if len(w.subs) == 0 {
			_ = w.listener.Close()
			w.listener = nil
		}
	}, nil
}

// forward passes l's notifications on until l is closed.
func (w *wakeups) forward(l *pq.Listener) {
	for n := range l.Notify {
		w.mu.Lock()
		for id, set := range w.subs {
			if n != nil && n.Extra != id {
				continue
			}
			for ch := range set {
				select {
				case ch <- struct{}{}:
				default: // a wake-up is pending already
				}
			}
		}
		w.mu.Unlock()
	}
}
