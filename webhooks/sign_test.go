package webhooks

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// A delivery signed during a rotation's overlap verifies with either
// secret; each secret is fresh.
func TestSignatureVerifiesWithEverySecret(t *testing.T) {
	old, current := NewSecret(), NewSecret()
	if old == current || !strings.HasPrefix(current, "whsec_") {
		t.Fatalf("secrets %q, %q", old, current)
	}
	body := []byte(`{"id":"evt_1","type":"case.status_changed"}`)
	at := time.Now()
	sig, err := Sign([]string{current, old}, "evt_1", at, body)
	if err != nil {
		t.Fatal(err)
	}
	headers := http.Header{}
	headers.Set("webhook-id", "evt_1")
	headers.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	headers.Set("webhook-signature", sig)
	for _, secret := range []string{current, old} {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			t.Fatal(err)
		}
		if err := wh.Verify(body, headers); err != nil {
			t.Errorf("verify with %s: %v", secret, err)
		}
	}
	stranger, _ := standardwebhooks.NewWebhook(NewSecret())
	if err := stranger.Verify(body, headers); err == nil {
		t.Error("another secret verifies")
	}
}

func TestBackoffDoublesUpToTheCap(t *testing.T) {
	d := NewDrainer(Deps{})
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second}
	for i, w := range want {
		if got := d.backoff(i); got != w {
			t.Errorf("after %d failures: %s, want %s", i+1, got, w)
		}
	}
	if got := d.backoff(40); got != time.Hour {
		t.Errorf("after 41 failures: %s, want the cap (1h)", got)
	}
}
