package api

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerops/present"
	"partnerops/rules"
	"partnerops/store"
)

// The console speaks English or Simplified Chinese: the language the
// signed-in principal chose (the switch in the header), else the first its
// browser accepts (Accept-Language), else English.

// viewerPrinter is the printer of the principal's language.
func (s *Server) viewerPrinter(c *fiber.Ctx, p store.Principal) (present.Printer, error) {
	lang, err := s.store.Language(c.UserContext(), p.ID)
	if err != nil {
		return present.Printer{}, err
	}
	return present.New(present.Match(lang, c.Get(fiber.HeaderAcceptLanguage)), s.location), nil
}

// setLanguage serves POST /console/language: the viewer's language from
// now on, then back to the page it was chosen on.
func (s *Server) setLanguage(c *fiber.Ctx, v *viewer) error {
	lang := c.FormValue("language")
	known := false
	for _, tag := range present.Languages {
		known = known || tag.String() == lang
	}
	if !known {
		return s.consoleError(c, v, invalid(rules.FieldErrors{{Field: "language", Message: "must be en or zh-CN"}}))
	}
	if err := s.store.SetLanguage(v.ctx, v.P.ID, lang, time.Now()); err != nil {
		return s.consoleError(c, v, err)
	}
	return c.Redirect(consoleLocal(c.FormValue("back")), http.StatusSeeOther)
}

// consoleLocal is path if it is a page of the console, else the console's
// first page: a form's way back never leads off the site.
func consoleLocal(path string) string {
	u, err := url.Parse(path)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/console") || strings.HasPrefix(path, "//") {
		return "/console"
	}
	return path
}
