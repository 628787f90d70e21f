package api

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/present"
	"partnerops/rules"
)

//go:embed console/templates/*.html
var consoleTemplates embed.FS

// consolePageNames are the console's pages; each is parsed with the layout.
var consolePageNames = []string{"sign_in", "cases", "case", "dashboard", "notifications", "calendar", "payment_requests", "sessions", "webhooks", "error"}

// templates are the console's pages in each language, parsed once:
// templates[lang][page].
var templates = func() map[string]map[string]*template.Template {
	set := map[string]map[string]*template.Template{}
	for _, lang := range present.Languages {
		pr := present.New(lang, time.UTC)
		set[lang.String()] = map[string]*template.Template{}
		for _, name := range consolePageNames {
			set[lang.String()][name] = template.Must(template.New("layout.html").Funcs(templateFuncs(pr)).
				ParseFS(consoleTemplates, "console/templates/layout.html", "console/templates/"+name+".html"))
		}
	}
	return set
}()

// templateFuncs are the pages' functions in pr's language: t is a message
// (a test keeps every one used here in both message files), label a code's
// label (the code in words when it has none), money an amount.
func templateFuncs(pr present.Printer) template.FuncMap {
	return template.FuncMap{
		"t":         pr.T,
		"label":     func(code any) string { return label(pr, fmt.Sprint(code)) },
		"sub":       func(a, b int) int { return a - b },
		"money":     func(m rules.Money) string { return pr.Money(m.Amount, m.Currency) },
		"isStaff":   func(role string) bool { return role == cases.RoleOps || role == cases.RoleSupervisor },
		"isPartner": func(role string) bool { return role == cases.RoleAdmin || role == cases.RoleMember },
	}
}

// human turns a snake_case name into words: "ticket_open" is "ticket open".
func human(name string) string { return strings.ReplaceAll(name, "_", " ") }

// label is what people read for a code (a kind, status, event, action,
// reason code or field name): its message "code.<code>" in pr's language,
// else the code in words.
func label(pr present.Printer, code string) string {
	if pr.Has("code." + code) {
		return pr.T("code." + code)
	}
	return human(code)
}

// pageData is what the layout shows around a page's own data.
type pageData struct {
	Title  string
	Viewer *viewer
	Zone   string
	Lang   string
	Path   string
	Data   any
}

// render answers the page name with data inside the layout.
func (s *Server) render(c *fiber.Ctx, status int, name string, v *viewer, title string, data any) error {
	var buf bytes.Buffer
	pr := s.printer(c, v)
	page := pageData{Title: title, Viewer: v, Zone: s.location.String(), Lang: pr.Lang.String(), Path: c.OriginalURL(), Data: data}
	if err := templates[page.Lang][name].Execute(&buf, page); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(buf.Bytes())
}

// consoleError shows err as the API would answer it, as a page.
func (s *Server) consoleError(c *fiber.Ctx, v *viewer, err error) error {
	p := problemOf(c.UserContext(), s.logger, err, requestID(c))
	if p.retryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(p.retryAfter))
	}
	title, pr := http.StatusText(p.Status), s.printer(c, v)
	if id := fmt.Sprintf("status.%d", p.Status); pr.Has(id) {
		title = pr.T(id)
	}
	return s.render(c, p.Status, "error", v, title, p)
}

// printer is how the page speaks to its reader: the viewer's language, or
// for a page without one (sign-in, errors before it) the browser's.
func (s *Server) printer(c *fiber.Ctx, v *viewer) present.Printer {
	if v != nil {
		return v.Print
	}
	return present.New(present.Match("", c.Get(fiber.HeaderAcceptLanguage)), s.location)
}

// when is a time in the business time zone, with the zone named, as its
// reader reads it.
type when struct {
	t  time.Time
	pr present.Printer
}

func (v *viewer) at(t time.Time) when { return when{t, v.Print} }

func (w when) String() string { return w.pr.Time(w.t) }

// Zone is the zone's name and abbreviation: "Asia/Shanghai (CST)".
func (w when) Zone() string {
	abbr, _ := w.t.In(w.pr.Loc).Zone()
	return w.pr.Loc.String() + " (" + abbr + ")"
}

// ISO is the instant for machines (a datetime attribute).
func (w when) ISO() string { return w.t.UTC().Format(time.RFC3339) }
