package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"partnerops/store"
)

// HistoryCodecPath is where the Temporal Web UI's codec endpoint is
// served (POST .../encode and .../decode, the SDK's codec protocol): under
// /console so that the browser sends the console's session cookie with it.
const HistoryCodecPath = "/console/codec"

// historyCodecRoutes serves the codec of the Temporal histories (package
// historykeys) to staff only: a staff token (Authorization: Bearer) or a
// staff console session (the cookie, which the UI sends when its codec
// setting includes credentials). The UI's origin (Deps.HistoryCodecOrigin)
// may call it from the browser.
func (s *Server) historyCodecRoutes(app *fiber.App, origin string) {
	if s.historyKeys == nil {
		return
	}
	app.All(HistoryCodecPath+"/*", historyCodecCORS(origin), s.staffOnly, adaptor.HTTPHandler(s.historyKeys.HTTPHandler()))
}

// historyCodecCORS lets origin call the codec with credentials, and
// answers its preflights.
func historyCodecCORS(origin string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if origin != "" && c.Get(fiber.HeaderOrigin) == origin {
			c.Set(fiber.HeaderAccessControlAllowOrigin, origin)
			c.Set(fiber.HeaderAccessControlAllowCredentials, "true")
			c.Set(fiber.HeaderVary, fiber.HeaderOrigin)
			if c.Method() == http.MethodOptions {
				c.Set(fiber.HeaderAccessControlAllowMethods, "POST")
				c.Set(fiber.HeaderAccessControlAllowHeaders, "Content-Type, X-Namespace, Authorization")
				c.Set(fiber.HeaderAccessControlMaxAge, "600")
				return c.SendStatus(http.StatusNoContent)
			}
		}
		return c.Next()
	}
}

// staffOnly lets a staff principal through, by bearer token or console
// session: none is 401, another role 403.
func (s *Server) staffOnly(c *fiber.Ctx) error {
	var p store.Principal
	var err error
	if scheme, token, ok := strings.Cut(c.Get(fiber.HeaderAuthorization), " "); ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(token) != "" {
		p, err = s.store.PrincipalByToken(c.UserContext(), strings.TrimSpace(token))
	} else if secret := c.Cookies(sessionCookie); secret != "" {
		var sess store.Session
		sess, err = s.store.SessionBySecret(c.UserContext(), secret, time.Now())
		p = sess.Principal
	} else {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="partnerops"`)
		return problem(fiber.StatusUnauthorized, "unauthorized", "send a staff token (Authorization: Bearer) or sign in to the console as staff")
	}
	if err != nil {
		return err
	}
	if refusal := staffObserves.decide(p, object{}); refusal != nil {
		return refusal
	}
	return c.Next()
}
