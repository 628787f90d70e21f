package webhooks

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"

	"partnerops/store"
)

// Delivery's fixed terms (the Standard Webhooks recommendations): each
// attempt times out after Timeout; a delivery is retried with exponential
// backoff for RetryPeriod. An endpoint failing without a success for the
// configuration's DisableAfter (24 hours unless set) is disabled and its
// partner's admin told.
const (
	Timeout     = 10 * time.Second
	RetryPeriod = 72 * time.Hour
)

// How a drain works through its endpoint's queue: roundSize deliveries
// read at once, up to concurrency cases (subjects) sent to at once, each
// round bounded by roundSpan so the drain heartbeats; an idle drain looks
// again after idleWait even if nothing woke it.
const (
	roundSize   = 1000
	concurrency = 32
	roundSpan   = 15 * time.Second
	idleWait    = 20 * time.Second
)

// Drainer is the activity that sends an endpoint's queued deliveries.
type Drainer struct {
	deps   Deps
	client *http.Client
	wake   *wakeups
}

// NewDrainer is the drain of a worker. Retry settings left zero (a
// worker built without configuration, as tests do) take the
// configuration's defaults.
func NewDrainer(d Deps) *Drainer {
	d.Settings.RetryBase = cmp.Or(d.Settings.RetryBase, 5*time.Second)
	d.Settings.RetryCap = cmp.Or(d.Settings.RetryCap, time.Hour)
	d.Settings.DisableAfter = cmp.Or(d.Settings.DisableAfter, 24*time.Hour)
	return &Drainer{deps: d, client: Guard{AllowLoopback: d.Settings.AllowLoopback}.Client(Timeout),
		wake: &wakeups{store: d.Store, subs: map[string]map[chan struct{}]bool{}}}
}

// DrainOutcome is what a drain did.
type DrainOutcome struct {
	Delivered int `json:"delivered"`
	// Stopped: the endpoint is disabled or deleted; its dispatcher ends.
	Stopped bool `json:"stopped"`
}

// Drain sends the endpoint's queued deliveries, in order per subject and
// concurrently across subjects, for DrainSpan, waking when new ones are
// queued or a retry falls due.
func (d *Drainer) Drain(ctx context.Context, endpointID string) (DrainOutcome, error) {
	wake, stop, err := d.wake.subscribe(endpointID)
	if err != nil {
		return DrainOutcome{}, err
	}
	defer stop()
	out := DrainOutcome{}
	for end := time.Now().Add(DrainSpan); time.Now().Before(end); {
		activity.RecordHeartbeat(ctx, out)
		target, err := d.deps.Store.WebhookTarget(ctx, endpointID, time.Now())
		if errors.Is(err, store.ErrNotFound) || (err == nil && !target.Active) {
			out.Stopped = true
			return out, nil
		}
		if err != nil {
			return out, err
		}
		sent, full, nextDue, err := d.round(ctx, target)
		out.Delivered += sent
		if err != nil {
			return out, err
		}
		if sent > 0 || full {
			continue
		}
		wait := idleWait
		if !nextDue.IsZero() {
			wait = min(max(time.Until(nextDue), 0), idleWait)
		}
		select {
		case <-ctx.Done():
			return out, ctx.Err()
		case <-wake:
		case <-time.After(wait):
		}
	}
	return out, nil
}

// round sends what is due of the next roundSize queued deliveries: each
// subject's in order, stopping at its first failure (the later ones wait
// for it). It says how many it sent, whether the queue held more, and
// when the earliest retry falls due (zero: none waits).
func (d *Drainer) round(ctx context.Context, target store.WebhookTarget) (int, bool, time.Time, error) {
	pending, err := d.deps.Store.PendingWebhookDeliveries(ctx, target.ID, roundSize)
	if err != nil {
		return 0, false, time.Time{}, err
	}
	var order []string
	bySubject := map[string][]store.PendingDelivery{}
	for _, p := range pending {
		if bySubject[p.Subject] == nil {
			order = append(order, p.Subject)
		}
		bySubject[p.Subject] = append(bySubject[p.Subject], p)
	}
	var (
		mu      sync.Mutex
		ok      []store.WebhookAttempt // recorded together at the round's end
		nextDue time.Time
		errs    []error
		wg      sync.WaitGroup
	)
	later := func(at time.Time, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
		}
		if !at.IsZero() && (nextDue.IsZero() || at.Before(nextDue)) {
			nextDue = at
		}
	}
	slots := make(chan struct{}, concurrency)
	end := time.Now().Add(roundSpan)
	for _, subject := range order {
		list := bySubject[subject]
		if list[0].NextAt.After(time.Now()) {
			later(list[0].NextAt, nil)
			continue
		}
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			for _, p := range list {
				if ctx.Err() != nil || time.Now().After(end) {
					return
				}
				success, retryAt, err := d.deliver(ctx, target, p)
				if err != nil || !retryAt.IsZero() {
					later(retryAt, err)
					return
				}
				if success != nil {
					mu.Lock()
					ok = append(ok, *success)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if err := d.deps.Store.RecordWebhookSuccesses(ctx, target.ID, ok); err != nil {
		errs = append(errs, err) // they are sent again: at least once
	}
	return len(ok), len(pending) == roundSize, nextDue, errors.Join(errs...)
}

// deliver makes one attempt of p. A success is returned for the round to
// record; a failure is recorded now and returns when to try again (zero
// when the delivery is given up: the subject's next one goes ahead).
func (d *Drainer) deliver(ctx context.Context, target store.WebhookTarget, p store.PendingDelivery) (*store.WebhookAttempt, time.Time, error) {
	at := time.Now()
	signature, err := Sign(target.Secrets, p.EventID, at, p.Body)
	if err != nil {
		return nil, time.Time{}, err
	}
	status, failure := d.post(ctx, target.URL, p, at, signature)
	if ctx.Err() != nil {
		return nil, time.Time{}, ctx.Err() // stopped mid-attempt: the next drain tries again
	}
	a := store.WebhookAttempt{DeliveryID: p.ID, EndpointID: target.ID, At: at, Status: status, Error: failure, Latency: time.Since(at)}
	if status >= 200 && status < 300 {
		return &a, time.Time{}, nil
	}
	if at.Sub(p.CreatedAt) < RetryPeriod {
		a.NextAt = at.Add(d.backoff(p.Attempts))
	}
	a.DisableAfter = d.deps.Settings.DisableAfter
	if status == http.StatusGone {
		a.Disable = "it answered 410 Gone"
	}
	if err := d.deps.Store.RecordWebhookAttempt(ctx, a); err != nil {
		return nil, time.Time{}, err
	}
	return nil, a.NextAt, nil
}

// post sends p, signed, and says the answer's status (0 if none) or why
// there was none.
func (d *Drainer) post(ctx context.Context, url string, p store.PendingDelivery, at time.Time, signature string) (int, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(p.Body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "partnerops-webhooks/1")
	req.Header.Set("webhook-id", p.EventID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	req.Header.Set("webhook-signature", signature)
	resp, err := d.client.Do(req)
	if err != nil {
		msg := err.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
		return 0, msg
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return resp.StatusCode, ""
}

// backoff is the wait after a delivery's attempts-th failed attempt
// (counting from 0): the retry base doubled each time, up to the cap.
func (d *Drainer) backoff(attempts int) time.Duration {
	wait := d.deps.Settings.RetryBase
	for range attempts {
		if wait >= d.deps.Settings.RetryCap {
			break
		}
		wait *= 2
	}
	return min(wait, d.deps.Settings.RetryCap)
}
