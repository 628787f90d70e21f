package api

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// RateLimits bounds the requests one token and one client address may send
// per Window, and, stricter, those to the strict routes (strictRoutes) per
// token or, without one, per address. A zero limit is no limit of that
// kind; zero RateLimits (tests of the API's own answers) is none at all.
//
// The counters are in PostgreSQL (store.Hit: one atomic upsert per key),
// so every API replica counts against the same limits without another
// service to run; a request whose count cannot be read is let through (the
// handler then answers as the database allows: PostgreSQL away is a 503).
type RateLimits struct {
	Window     time.Duration
	PerToken   int
	PerAddress int
	Strict     int
	// Registrations bounds the self-registrations of all addresses
	// together per Window (registrationRoute).
	Registrations int
}

// registrationRoute is the route of self-registration: besides its strict
// limit per address, all addresses together have Registrations.
const registrationRoute = "POST /v1/partner-registrations"

// strictRoutes are the routes with the strict limit, by route pattern: a
// token guessed at sign-in, self-registration, association requests. A
// pattern whose route does not exist yet is kept and applies once it does.
var strictRoutes = []string{
	"POST " + signInPath,
	registrationRoute,
	"POST /v1/partners/{partner_id}/customers",
}

// strictRoutePatterns match a request's method and path to strictRoutes.
var strictRoutePatterns = func() []*regexp.Regexp {
	list := make([]*regexp.Regexp, len(strictRoutes))
	for i, route := range strictRoutes {
		parts := pathParam.Split(route, -1) // the text between the {params}
		for j := range parts {
			parts[j] = regexp.QuoteMeta(parts[j])
		}
		list[i] = regexp.MustCompile("^" + strings.Join(parts, `[^/]+`) + "$")
	}
	return list
}()

// strictRoute is the strict route pattern of a request, or "".
func strictRoute(method, path string) string {
	for i, re := range strictRoutePatterns {
		if re.MatchString(method + " " + path) {
			return strictRoutes[i]
		}
	}
	return ""
}

// rateLimit counts the request against its token, its client address and,
// on a strict route, its strict limit; over any of them it answers 429
// with Retry-After, the seconds left in the window.
func (s *Server) rateLimit(c *fiber.Ctx) error {
	l := s.rateLimits
	if s.store == nil || l.Window <= 0 {
		return c.Next()
	}
	type counted struct {
		key   string
		limit int
	}
	var keys []counted
	who := "addr:" + c.IP()
	if scheme, token, ok := strings.Cut(c.Get(fiber.HeaderAuthorization), " "); ok && strings.EqualFold(scheme, "Bearer") && token != "" {
		sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
		who = "token:" + hex.EncodeToString(sum[:])
		keys = append(keys, counted{who, l.PerToken})
	}
	keys = append(keys, counted{"addr:" + c.IP(), l.PerAddress})
	if route := strictRoute(c.Method(), c.Path()); route != "" {
		keys = append(keys, counted{"strict:" + route + ":" + who, l.Strict})
		if route == registrationRoute {
			keys = append(keys, counted{"overall:" + route, l.Registrations})
		}
	}
	now := time.Now()
	for _, k := range keys {
		if k.limit <= 0 {
			continue
		}
		hits, end, err := s.store.Hit(c.UserContext(), k.key, l.Window, now)
		if err != nil {
			return c.Next() // fail open: the handler answers as the database allows
		}
		if hits > k.limit {
			p := problem(http.StatusTooManyRequests, "rate-limited",
				"too many requests; retry after the time Retry-After gives")
			p.retryAfter = int(math.Ceil(end.Sub(now).Seconds()))
			return p
		}
	}
	return c.Next()
}
