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
	"partnerops/rules"
)

//go:embed console/templates/*.html
var consoleTemplates embed.FS

// consolePageNames are the console's pages; each is parsed with the layout.
var consolePageNames = []string{"sign_in", "cases", "case", "dashboard", "notifications", "calendar", "payment_requests", "sessions", "error"}

// templates are the console's pages, parsed once.
var templates = func() map[string]*template.Template {
	set := map[string]*template.Template{}
	for _, name := range consolePageNames {
		set[name] = template.Must(template.New("layout.html").Funcs(templateFuncs).
			ParseFS(consoleTemplates, "console/templates/layout.html", "console/templates/"+name+".html"))
	}
	return set
}()

var templateFuncs = template.FuncMap{
	"human":     human,
	"sub":       func(a, b int) int { return a - b },
	"money":     func(m rules.Money) string { return formatMoney(m) },
	"isStaff":   func(role string) bool { return role == cases.RoleOps || role == cases.RoleSupervisor },
	"isPartner": func(role string) bool { return role == cases.RoleAdmin || role == cases.RoleMember },
}

// human turns a snake_case name into words: "ticket_open" is "ticket open".
func human(name string) string { return strings.ReplaceAll(name, "_", " ") }

// formatMoney shows minor units with two decimals: 12000 CNY is "120.00 CNY".
func formatMoney(m rules.Money) string {
	sign, amount := "", m.Amount
	if amount < 0 {
		sign, amount = "-", -amount
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, amount/100, amount%100, m.Currency)
}

// pageData is what the layout shows around a page's own data.
type pageData struct {
	Title  string
	Viewer *viewer
	Zone   string
	Data   any
}

// render answers the page name with data inside the layout.
func (s *Server) render(c *fiber.Ctx, status int, name string, v *viewer, title string, data any) error {
	var buf bytes.Buffer
	if err := templates[name].Execute(&buf, pageData{Title: title, Viewer: v, Zone: s.location.String(), Data: data}); err != nil {
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
	return s.render(c, p.Status, "error", v, http.StatusText(p.Status), p)
}

// when is a time in the business time zone, with the zone named.
type when struct {
	t   time.Time
	loc *time.Location
}

func (s *Server) at(t time.Time) when { return when{t, s.location} }

func (w when) String() string {
	if w.t.IsZero() {
		return "—"
	}
	return w.t.In(w.loc).Format("Mon 2 Jan 2006 15:04")
}

// Zone is the zone's name and abbreviation: "Asia/Shanghai (CST)".
func (w when) Zone() string {
	abbr, _ := w.t.In(w.loc).Zone()
	return w.loc.String() + " (" + abbr + ")"
}

// ISO is the instant for machines (a datetime attribute).
func (w when) ISO() string { return w.t.UTC().Format(time.RFC3339) }
