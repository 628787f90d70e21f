package api

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partnerops/cases"
	"partnerops/internal/testdb"
	"partnerops/store"
)

// loadClient sends requests over TCP from one local address (127.0.0.x:
// the server sees each as its own client address).
func loadClient(localIP string) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(localIP)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: dialer.DialContext, MaxIdleConns: 128, MaxIdleConnsPerHost: 128,
	}}
}

// loadResult counts a load's answers.
type loadResult struct {
	served, limited, other atomic.Int64
	badRefusal             atomic.Value // a 429 without Retry-After in the window, or not problem+json
}

// sendLoad sends n requests at rate per second (as far as the machine
// keeps up: behaviour is checked, not speed), the i-th with tokens[i %
// len(tokens)], and counts the answers.
func sendLoad(t *testing.T, client *http.Client, url string, tokens []string, n, rate int, window time.Duration) *loadResult {
	t.Helper()
	var r loadResult
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for token := range jobs {
				req, _ := http.NewRequest("GET", url, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					r.badRefusal.Store(err.Error())
					continue
				}
				_ = resp.Body.Close()
				switch resp.StatusCode {
				case http.StatusOK:
					r.served.Add(1)
				case http.StatusTooManyRequests:
					r.limited.Add(1)
					after, err := strconv.Atoi(resp.Header.Get("Retry-After"))
					if err != nil || after < 1 || after > int(window.Seconds()) || resp.Header.Get("Content-Type") != "application/problem+json" {
						r.badRefusal.Store(fmt.Sprintf("a 429 with Retry-After %q as %s", resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type")))
					}
				default:
					r.other.Add(1)
				}
			}
		})
	}
	start := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	for i := range n {
		<-tick.C
		jobs <- tokens[i%len(tokens)]
	}
	tick.Stop()
	close(jobs)
	wg.Wait()
	t.Logf("%d requests in %v (%.0f/s): %d served, %d limited, %d other",
		n, time.Since(start).Round(time.Millisecond), float64(n)/time.Since(start).Seconds(), r.served.Load(), r.limited.Load(), r.other.Load())
	return &r
}

// About 1,000 requests a second from one token, over TCP as a client
// sends them: beyond the token's limit each is a 429 problem with
// Retry-After, exactly the limit is served, and another token from the
// same address is served throughout. Then many tokens from one address:
// beyond the address's limit, 429, while the other address is served.
// The limits are the configured kind (per minute), set low enough for
// the load to cross them.
func TestRateLimitsUnderLoad(t *testing.T) {
	const (
		window     = time.Minute
		perToken   = 600
		perAddress = 2500
	)
	ctx := context.Background()
	st, _ := testdb.New(t)
	token := func(name string) string {
		_, tok, err := st.CreatePrincipal(ctx, store.NewPrincipal{Name: name, Role: cases.RoleOps})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	busy, calm := token("Busy Ops"), token("Calm Ops")
	var crowd []string // many tokens behind one address (a NAT, a client rotating tokens)
	for i := range 10 {
		crowd = append(crowd, token(fmt.Sprintf("Crowd Ops %d", i)))
	}
	app := New(Deps{Store: st, Location: time.UTC, Logger: slog.New(slog.DiscardHandler),
		RateLimits: RateLimits{Window: window, PerToken: perToken, PerAddress: perAddress, Strict: 30}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	url := "http://" + ln.Addr().String() + "/v1/notifications"
	here, there := loadClient("127.0.0.1"), loadClient("127.0.0.2")

	// the windows are fixed (aligned to the minute): both loads in one
	if left := time.Until(time.Now().Truncate(window).Add(window)); left < 25*time.Second {
		time.Sleep(left)
	}

	// calm sends a request every 50 ms from 127.0.0.1 while a load runs
	calmDuring := func(load func()) {
		t.Helper()
		stop := make(chan struct{})
		var calmStatuses []int
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				req, _ := http.NewRequest("GET", url, nil)
				req.Header.Set("Authorization", "Bearer "+calm)
				resp, err := here.Do(req)
				if err != nil {
					calmStatuses = append(calmStatuses, 0)
					continue
				}
				_ = resp.Body.Close()
				calmStatuses = append(calmStatuses, resp.StatusCode)
			}
		}()
		load()
		close(stop)
		<-done
		for _, s := range calmStatuses {
			if s != http.StatusOK {
				t.Errorf("another token during the load: %v", calmStatuses)
				break
			}
		}
		if len(calmStatuses) == 0 {
			t.Error("another token sent nothing during the load")
		}
	}

	const perSecond, load = 1000, 2000
	calmDuring(func() {
		r := sendLoad(t, here, url, []string{busy}, load, perSecond, window)
		if r.served.Load() != perToken || r.limited.Load() != load-perToken || r.other.Load() != 0 {
			t.Errorf("one token's load of %d: %d served, %d limited, %d other; want %d served, the rest limited",
				load, r.served.Load(), r.limited.Load(), r.other.Load(), perToken)
		}
		if bad := r.badRefusal.Load(); bad != nil {
			t.Error(bad)
		}
	})

	// 127.0.0.1 has sent about 2,100 of its 2,500: the crowd is another address
	const crowdLoad = 3000
	calmDuring(func() {
		r := sendLoad(t, there, url, crowd, crowdLoad, perSecond, window)
		if r.served.Load() != perAddress || r.limited.Load() != crowdLoad-perAddress || r.other.Load() != 0 {
			t.Errorf("one address's load of %d over %d tokens: %d served, %d limited, %d other; want %d served, the rest limited",
				crowdLoad, len(crowd), r.served.Load(), r.limited.Load(), r.other.Load(), perAddress)
		}
		if bad := r.badRefusal.Load(); bad != nil {
			t.Error(bad)
		}
	})
}
