package webhooks

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

// names is a resolver of fixed names (a public one and names pointing at
// internal addresses, as an attacker's DNS would).
type names map[string][]netip.Addr

func (n names) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if addrs, ok := n[host]; ok {
		return addrs, nil
	}
	return nil, errors.New("no such host")
}

var resolver = names{
	"hooks.example.com":  {netip.MustParseAddr("93.184.215.14")},
	"intranet.evil.test": {netip.MustParseAddr("10.1.2.3")},
	"meta.evil.test":     {netip.MustParseAddr("169.254.169.254")},
	"mixed.evil.test":    {netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("127.0.0.1")},
	"localhost":          {netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")},
}

func TestGuardRefusesInternalTargets(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		url                  string
		strict, withLoopback bool // allowed without, and with, AllowLoopback
	}{
		{"https://hooks.example.com/partnerops", true, true},
		{"http://hooks.example.com/partnerops", false, false}, // https only
		{"https://127.0.0.1/x", false, true},
		{"http://127.0.0.1:8080/x", false, true},
		{"https://[::1]/x", false, true},
		{"http://localhost:9000/x", false, true},
		{"https://10.0.0.8/x", false, false},
		{"https://192.168.1.1/x", false, false},
		{"https://172.16.0.1/x", false, false},
		{"https://169.254.169.254/latest/meta-data", false, false},
		{"https://[fd00:ec2::254]/x", false, false},
		{"https://100.64.0.1/x", false, false},
		{"https://0.0.0.0/x", false, false},
		{"https://[::ffff:10.0.0.1]/x", false, false},
		{"https://intranet.evil.test/x", false, false},
		{"https://meta.evil.test/x", false, false},
		{"https://mixed.evil.test/x", false, true}, // loopback among its addresses
		{"https://nowhere.invalid/x", false, false},
		{"ftp://hooks.example.com/x", false, false},
		{"https://user:pw@hooks.example.com/x", false, false},
		{"/relative", false, false},
	} {
		for _, allow := range []bool{false, true} {
			want := tc.strict
			if allow {
				want = tc.withLoopback
			}
			err := Guard{AllowLoopback: allow, Resolver: resolver}.CheckURL(ctx, tc.url)
			if (err == nil) != want {
				t.Errorf("%s (allow loopback %v): %v, want allowed %v", tc.url, allow, err, want)
			}
			if err != nil && !errors.Is(err, ErrRefusedTarget) {
				t.Errorf("%s: %v is not ErrRefusedTarget", tc.url, err)
			}
		}
	}
}

// The address dialled is checked at every delivery: a name that resolved
// to a public address at registration and to loopback now is refused.
func TestDeliveryClientRefusesWhatItDials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	strict := Guard{}.Client(Timeout)
	if _, err := strict.Get(srv.URL); !errors.Is(err, ErrRefusedTarget) {
		t.Errorf("a strict client reached %s: %v", srv.URL, err)
	}
	resp, err := Guard{AllowLoopback: true}.Client(Timeout).Get(srv.URL)
	if err != nil {
		t.Fatalf("with loopback allowed: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("status %d", resp.StatusCode)
	}
}
