// Package webhooks delivers partner events to the endpoints partners
// register: the guard that keeps deliveries off internal networks, the
// Standard Webhooks signature, and the dispatcher (a long-lived workflow per
// endpoint draining its outbox in order per case).
package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// Guard decides which targets deliveries may reach. Private, loopback,
// link-local (the cloud metadata service, 169.254.169.254, among them),
// shared, multicast and unspecified addresses are refused, at registration
// (the URL's name as it resolves then) and at every connection (the
// address dialled, so a name re-pointed later — DNS rebinding — is caught
// too). AllowLoopback lets loopback through (dev and tests), and plain
// http to it.
type Guard struct {
	AllowLoopback bool
	// Resolver resolves names at registration (net.DefaultResolver if nil).
	Resolver interface {
		LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	}
}

// ErrRefusedTarget is a target deliveries may not reach.
var ErrRefusedTarget = errors.New("refused target")

// blocked are the ranges no delivery reaches, besides what netip's
// predicates name (private, loopback, link-local, multicast, unspecified).
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),         // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),     // carrier-grade NAT, shared
	netip.MustParsePrefix("192.0.0.0/24"),      // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),     // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),       // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"),      // NAT64 onto any IPv4
	netip.MustParsePrefix("fd00:ec2::254/128"), // the IPv6 metadata service
}

// CheckAddr is nil when a delivery may connect to addr.
func (g Guard) CheckAddr(addr netip.Addr) error {
	addr = addr.Unmap()
	if addr.IsLoopback() {
		if g.AllowLoopback {
			return nil
		}
		return fmt.Errorf("%w: %s is a loopback address", ErrRefusedTarget, addr)
	}
	switch {
	case addr.IsPrivate():
		return fmt.Errorf("%w: %s is a private address", ErrRefusedTarget, addr)
	case addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast():
		return fmt.Errorf("%w: %s is a link-local address (such as the metadata service)", ErrRefusedTarget, addr)
	case addr.IsUnspecified() || addr.IsMulticast() || addr.IsInterfaceLocalMulticast():
		return fmt.Errorf("%w: %s is not a unicast address", ErrRefusedTarget, addr)
	}
	for _, p := range blocked {
		if p.Contains(addr) {
			return fmt.Errorf("%w: %s is in the reserved range %s", ErrRefusedTarget, addr, p)
		}
	}
	return nil
}

// CheckURL is nil when raw may be registered: an absolute https URL
// (http only to loopback when allowed) whose host resolves only to
// addresses deliveries may reach.
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Hostname() == "" {
		return fmt.Errorf("%w: not an absolute URL", ErrRefusedTarget)
	}
	if u.User != nil || u.Fragment != "" {
		return fmt.Errorf("%w: a URL with credentials or a fragment", ErrRefusedTarget)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("%w: the scheme must be https", ErrRefusedTarget)
	}
	addrs, err := g.resolve(ctx, u.Hostname())
	if err != nil {
		return err
	}
	for _, a := range addrs {
		if err := g.CheckAddr(a); err != nil {
			return err
		}
		if u.Scheme == "http" && !a.Unmap().IsLoopback() {
			return fmt.Errorf("%w: the scheme must be https", ErrRefusedTarget)
		}
	}
	return nil
}

// resolve is the addresses of host: itself if it is one, else what the
// resolver says now.
func (g Guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if addr, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{addr}, nil
	}
	resolver := g.Resolver
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return nil, fmt.Errorf("%w: %s does not resolve", ErrRefusedTarget, host)
	}
	return addrs, nil
}

// Client is the HTTP client of deliveries: every connection's address is
// checked as it is dialled, no proxy, no redirect followed (a 3xx is a
// failed attempt), each request bounded by timeout.
func (g Guard) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, Control: func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrRefusedTarget, address)
		}
		return g.CheckAddr(ap.Addr())
	}}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext: dialer.DialContext, ForceAttemptHTTP2: true, TLSHandshakeTimeout: timeout,
			MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
