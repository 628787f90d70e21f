package webhooks_test

import (
	"io"
	"log"
	"net/http"
	"os"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// A partner's receiver in Go: verify the signature (and the timestamp's
// freshness) with the Standard Webhooks library before trusting the body,
// answer 2xx quickly, and de-duplicate by webhook-id.
func Example_receiver() {
	wh, err := standardwebhooks.NewWebhook(os.Getenv("WEBHOOK_SECRET")) // whsec_...
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/partnerops", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		if err := wh.Verify(body, r.Header); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		// Seen r.Header.Get("webhook-id") before? Answer 2xx and stop.
		// Else record the event (body), then answer 2xx.
		w.WriteHeader(http.StatusNoContent)
	})
	log.Fatal(http.ListenAndServe(":8443", nil)) // behind TLS: partnerops delivers to https only
}
