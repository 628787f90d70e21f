package webhooks

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// NewSecret is a new signing secret: whsec_ and 32 random bytes in base64.
func NewSecret() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails (crypto/rand)
	return "whsec_" + base64.StdEncoding.EncodeToString(key)
}

// Sign is the webhook-signature header of a delivery signed with each of
// secrets (the current one, and the previous one during a rotation's
// overlap), space-separated as the Standard Webhooks specification says.
func Sign(secrets []string, id string, at time.Time, body []byte) (string, error) {
	sigs := make([]string, len(secrets))
	for i, secret := range secrets {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			return "", err
		}
		if sigs[i], err = wh.Sign(id, at, body); err != nil {
			return "", err
		}
	}
	return strings.Join(sigs, " "), nil
}
