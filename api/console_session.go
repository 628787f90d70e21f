package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/present"
	"partnerops/store"
)

// The console signs people in with the token they were given: the token
// is exchanged once for a session kept in PostgreSQL (store/sessions.go),
// whose secret the browser holds in an HttpOnly, SameSite=Strict cookie
// (Secure under TLS). Every form carries the session's CSRF token; the
// sign-in form, before there is a session, a token of its own cookie
// (double submit). Signing out revokes the session.

const (
	sessionCookie = "partnerops_session"
	signInCookie  = "partnerops_sign_in"
	csrfField     = "csrf"
	// sessionTTL is how long a console session lasts.
	sessionTTL = 12 * time.Hour
	signInPath = "/console/sign-in"
)

// consoleContentSecurity keeps console pages to this server's own scripts
// and styles, and out of every frame.
const consoleContentSecurity = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// viewer is who looks at a console page: the signed-in principal, the
// session's CSRF token, and the context the API's handlers read it from.
type viewer struct {
	P     store.Principal
	CSRF  string
	Print present.Printer
	ctx   context.Context
}

// setCookie sets a console cookie: HttpOnly, SameSite=Strict, Secure under TLS.
func setCookie(c *fiber.Ctx, name, value string, expires time.Time) {
	c.Cookie(&fiber.Cookie{
		Name: name, Value: value, Path: "/console", Expires: expires,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: c.Protocol() == "https",
	})
}

// page is a console handler: it gets the signed-in viewer.
type page func(c *fiber.Ctx, v *viewer) error

// signedIn runs h for the session's principal: no live session sends the
// browser to the sign-in page; a form (POST) without the session's CSRF
// token is refused. h's context carries the principal as the API's
// handlers expect it, so they apply the API's access policy to it.
func (s *Server) signedIn(h page) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentSecurityPolicy, consoleContentSecurity)
		c.Set(fiber.HeaderCacheControl, "no-store")
		secret := c.Cookies(sessionCookie)
		sess, err := store.Session{}, store.ErrNotFound
		if secret != "" {
			sess, err = s.store.SessionBySecret(c.UserContext(), secret, time.Now())
		}
		if errors.Is(err, store.ErrNotFound) {
			if c.Method() == http.MethodGet {
				return c.Redirect(signInPath+"?next="+url.QueryEscape(c.OriginalURL()), http.StatusSeeOther)
			}
			return s.consoleError(c, nil, problem(http.StatusUnauthorized, "signed-out", "your session ended; sign in again"))
		}
		if err != nil {
			return s.consoleError(c, nil, err)
		}
		if c.Method() != http.MethodGet && !sameToken(c.FormValue(csrfField), sess.CSRFToken) {
			return s.consoleError(c, nil, forbidden("the form is not from this session (CSRF token missing or wrong); reload the page"))
		}
		c.Locals(principalKey, sess.Principal)
		ctx := context.WithValue(c.UserContext(), principalKey, sess.Principal)
		ctx = context.WithValue(ctx, requestIDKey{}, requestID(c))
		pr, err := s.viewerPrinter(c, sess.Principal)
		if err != nil {
			return s.consoleError(c, nil, err)
		}
		return h(c, &viewer{P: sess.Principal, CSRF: sess.CSRFToken, Print: pr, ctx: ctx})
	}
}

func sameToken(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// signInPage serves GET /console/sign-in: the form, with a fresh CSRF
// token in its own cookie.
func (s *Server) signInPage(c *fiber.Ctx) error {
	return s.renderSignIn(c, http.StatusOK, "")
}

func (s *Server) renderSignIn(c *fiber.Ctx, status int, messageID string) error {
	c.Set(fiber.HeaderContentSecurityPolicy, consoleContentSecurity)
	c.Set(fiber.HeaderCacheControl, "no-store")
	token := store.RandomToken()
	setCookie(c, signInCookie, token, time.Now().Add(time.Hour))
	pr := s.printer(c, nil)
	next := consoleLocal(c.Query("next", c.FormValue("next")))
	return s.render(c, status, "sign_in", nil, pr.T("sign_in.submit"), struct{ CSRF, Message, Next string }{token, pr.T(messageID), next})
}

// signIn serves POST /console/sign-in: a known token starts a session.
func (s *Server) signIn(c *fiber.Ctx) error {
	if !sameToken(c.FormValue(csrfField), c.Cookies(signInCookie)) {
		return s.renderSignIn(c, http.StatusForbidden, "sign_in.expired")
	}
	token := strings.TrimSpace(c.FormValue("token"))
	if token == "" {
		return s.renderSignIn(c, http.StatusUnprocessableEntity, "sign_in.empty")
	}
	p, err := s.store.PrincipalByToken(c.UserContext(), token)
	if errors.Is(err, store.ErrNotFound) {
		return s.renderSignIn(c, http.StatusUnauthorized, "sign_in.unknown")
	}
	if err != nil {
		return s.consoleError(c, nil, err)
	}
	if p.Role == cases.RoleCustomer {
		// the console is for staff and partners' members (docs/console.md)
		return s.renderSignIn(c, http.StatusForbidden, "sign_in.customer")
	}
	secret, sess, err := s.store.CreateSession(c.UserContext(), p, time.Now(), sessionTTL)
	if err != nil {
		return s.consoleError(c, nil, err)
	}
	setCookie(c, sessionCookie, secret, sess.ExpiresAt)
	setCookie(c, signInCookie, "", time.Unix(0, 0))
	return c.Redirect(consoleLocal(c.FormValue("next")), http.StatusSeeOther)
}

// signOut serves POST /console/sign-out: the session is revoked.
func (s *Server) signOut(c *fiber.Ctx, v *viewer) error {
	if err := s.store.RevokeSession(v.ctx, c.Cookies(sessionCookie), time.Now()); err != nil {
		return s.consoleError(c, v, err)
	}
	setCookie(c, sessionCookie, "", time.Unix(0, 0))
	return c.Redirect(signInPath, http.StatusSeeOther)
}
