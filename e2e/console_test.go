package e2e

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"partnerops/cases"
	"partnerops/workflows"
)

var consoleScreenshots = flag.String("console-screenshots", "",
	"save screenshots of the console's queue, a case page and the dashboard into this folder (docs/ in the repository)")

// browser is a headless Chromium at 1280×800 driven by chromedp. Without
// Chromium the test fails in CI (CI=true), and elsewhere is skipped saying
// so (.ci/run installs Debian's chromium).
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" && os.Getenv("CI") == "true" {
		t.Fatal("no Chromium on this machine, and CI=true: the browser test must run in CI (apt-get install -y chromium)")
	}
	if path == "" {
		t.Skip("no Chromium on this machine: install Debian's chromium (apt-get install -y chromium; .ci/run does) to run the browser test")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path),
		chromedp.WindowSize(1280, 800), chromedp.NoSandbox, chromedp.Flag("disable-dev-shm-usage", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// the first run starts the browser, on a context without a timeout
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// run runs the browser's actions; on failure it saves a screenshot of the
// page (under $TMPDIR/partnerops-console-failures) and fails the test.
func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	stepCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(stepCtx, actions...); err != nil {
		t.Fatalf("%s: %v (screenshot: %s)", step, err, screenshot(t, ctx, "failed-"+step))
	}
}

// value runs an action that reads something off the page.
func value[T any](t *testing.T, ctx context.Context, step string, action chromedp.Action[T]) T {
	t.Helper()
	stepCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(stepCtx, action)
	if err != nil {
		t.Fatalf("%s: %v (screenshot: %s)", step, err, screenshot(t, ctx, "failed-"+step))
	}
	return v
}

// screenshot saves the page as it is under $TMPDIR/partnerops-console-failures.
func screenshot(t *testing.T, ctx context.Context, name string) string {
	shotCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(shotCtx, chromedp.FullScreenshot(100))
	if err != nil {
		return "none: " + err.Error()
	}
	dir := filepath.Join(os.TempDir(), "partnerops-console-failures")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "none: " + err.Error()
	}
	path := filepath.Join(dir, t.Name()+"-"+strings.ReplaceAll(name, " ", "-")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return "none: " + err.Error()
	}
	return path
}

// keep saves the page as docs' screenshot name when -console-screenshots is given.
func keep(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if *consoleScreenshots == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(*consoleScreenshots, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// signIn signs in on the console's sign-in page with token.
func signIn(t *testing.T, ctx context.Context, baseURL, token, role string) {
	t.Helper()
	signInAt(t, ctx, baseURL+"/console", token, role)
}

// signInAt opens page, signed out: the sign-in page, then the page itself.
func signInAt(t *testing.T, ctx context.Context, page, token, role string) {
	t.Helper()
	run(t, ctx, "sign in as "+role,
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.ID(`token`)),
		chromedp.SendKeys(chromedp.ID(`token`), token),
		chromedp.Submit(chromedp.ID(`token`)),
		chromedp.WaitVisible(chromedp.ID(`signed-in-role`)),
	)
	shown := value(t, ctx, "read the header", chromedp.Text(chromedp.ID("signed-in-role")))
	if shown != role {
		t.Errorf("the header shows the role %q, want %q", shown, role)
	}
}

func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`header form button`)), chromedp.WaitVisible(chromedp.ID(`token`)))
}

// noHorizontalOverflow fails when the page is wider than the window (1280
// px unless the test set another width).
func noHorizontalOverflow(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	fitsWidth(t, ctx, page, 1280)
}

// fitsWidth fails when the window is not width wide, or the page, or any
// element of it, is wider than the window.
func fitsWidth(t *testing.T, ctx context.Context, page string, width int) {
	t.Helper()
	widths := value(t, ctx, "measure "+page, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth,
		Math.max(0, ...Array.from(document.querySelectorAll('body *')).filter(e => !e.closest('.scroll')).map(e => Math.ceil(e.getBoundingClientRect().right)))]`))
	if len(widths) != 3 || widths[0] > widths[1] || widths[2] > widths[1] || widths[1] != width {
		t.Errorf("%s overflows horizontally at %d px: scroll width, window, rightmost element %v (screenshot: %s)",
			page, width, widths, screenshot(t, ctx, fmt.Sprintf("overflow-%s-%d", page, width)))
	}
}

// axeSource is axe-core from npm, vendored (testdata/axe/README.md).
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// accessible runs axe-core on the page and fails on every serious or
// critical violation it finds.
func accessible(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if !value(t, ctx, "look for axe on "+page, chromedp.Evaluate[bool](`typeof window.axe === 'object'`)) {
		run(t, ctx, "load axe on "+page, chromedp.Evaluate[chromedp.Void](axeSource))
	}
	found := value(t, ctx, "check "+page+" with axe", chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
		.filter(v => v.impact === 'serious' || v.impact === 'critical')
		.map(v => v.impact + ' ' + v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))`, chromedp.EvalAwaitPromise))
	for _, v := range found {
		t.Errorf("%s: axe finds %s", page, v)
	}
	if len(found) > 0 {
		t.Logf("screenshot: %s", screenshot(t, ctx, "axe-"+page))
	}
}

// rowsOf are the case IDs the case list shows.
func rowsOf(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return value(t, ctx, "read the case list", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#case-list tr[data-case]')).map(r => r.dataset.case)`))
}

// TestConsoleInABrowser signs in as ops, opens the "open and breached"
// queue, resolves the breached ticket through its form and sees it leave
// the queue; signs in as a partner and sees only its own cases; and checks
// that the pages fit 1280×800.
func TestConsoleInABrowser(t *testing.T) {
	ctx := browser(t)
	s := startSystem(t, "2s")

	// partner A's ticket breaches its SLA; partner B has a case of its own
	breached := decode[cases.Case](t, s.submit(s.adminA, s.partnerA, businessInfo(acmeNumber)).expect(t, 202))
	s.waitForCase(s.ops, breached.ID, hasStatus(workflows.CertificationInReview))
	s.call("POST", "/v1/cases/"+breached.ID+"/actions/reject", s.ops, map[string]string{"reason": "Unreadable"}).expect(t, 200)
	s.call("POST", "/v1/cases/"+breached.ID+"/actions/file_ticket", s.adminA, map[string]string{"message": "Please re-check"}).expect(t, 200)
	s.waitForList("/v1/cases?sla_breached=true", s.ops, func(list []cases.Case) bool { return len(list) == 1 })
	other := decode[cases.Case](t, s.submit(s.adminB, s.partnerB, businessInfo("91330100MA2B7C8D9Q")).expect(t, 202))
	s.waitForCase(s.ops, other.ID, hasStatus(workflows.CertificationInReview))

	// a customer's token does not open the console: the page says why
	run(t, ctx, "sign in as a customer",
		chromedp.Navigate(s.baseURL+"/console"), chromedp.WaitVisible(chromedp.ID(`token`)),
		chromedp.SendKeys(chromedp.ID(`token`), s.customA), chromedp.Submit(chromedp.ID(`token`)),
		chromedp.WaitVisible(chromedp.CSS(`main .error[role=alert]`)))
	if says := value(t, ctx, "read the refusal", chromedp.Text(chromedp.CSS(`main .error[role=alert]`))); !strings.Contains(says, "Customers use the API") {
		t.Errorf("a customer's sign-in says %q", says)
	}

	signIn(t, ctx, s.baseURL, s.ops, cases.RoleOps)
	certifiedB, err := s.store.CertifiedCase(context.Background(), s.partnerB)
	if err != nil {
		t.Fatal(err)
	}
	workManagement(t, ctx, s, breached.ID, other.ID, certifiedB)
	run(t, ctx, "open the open-and-breached queue",
		chromedp.Click(chromedp.CSS(`#queues tr.total a[data-queue="breached"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#case-list tr[data-case="`+breached.ID+`"]`)))
	if rows := rowsOf(t, ctx); len(rows) != 1 {
		t.Errorf("the open and breached queue shows %v, want only %s", rows, breached.ID)
	}
	noHorizontalOverflow(t, ctx, "queue")
	keep(t, ctx, "console-queue.png")

	run(t, ctx, "open the breached case",
		chromedp.Click(chromedp.CSS(`#case-list tr[data-case="`+breached.ID+`"] a`)),
		chromedp.WaitVisible(chromedp.ID(`action-resolve`)))
	noHorizontalOverflow(t, ctx, "case")
	keep(t, ctx, "console-case.png")
	// without the confirmation the step is refused beside the box
	run(t, ctx, "resolve unconfirmed",
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.querySelector('#action-resolve input[name=confirm]').required = false`)(ctx, t)
			return err
		}),
		chromedp.Click(chromedp.CSS(`#action-resolve input[name=decision][value=certify]`)),
		chromedp.Click(chromedp.CSS(`#action-resolve button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#action-resolve .field-error[data-field=confirm]`)))
	run(t, ctx, "resolve the ticket",
		chromedp.Click(chromedp.CSS(`#action-resolve input[name=decision][value=certify]`)),
		chromedp.Click(chromedp.CSS(`#action-resolve input[name=confirm]`)),
		chromedp.Click(chromedp.CSS(`#action-resolve button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p[role=status]`)))
	status := value(t, ctx, "read the status", chromedp.Text(chromedp.ID(`case-status`)))
	if !strings.Contains(status, "certified") {
		t.Errorf("after resolving, the case is %q, want certified", status)
	}
	// the read model is written just after the workflow moves: the queue
	// empties within moments
	deadline := time.Now().Add(10 * time.Second)
	for {
		run(t, ctx, "reopen the queue", chromedp.Navigate(s.baseURL+"/console?queue=breached"), chromedp.WaitVisible(chromedp.ID(`case-list`)))
		if len(rowsOf(t, ctx)) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the resolved ticket stayed in the open and breached queue (screenshot: %s)", screenshot(t, ctx, "queue-after-resolve"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	signOut(t, ctx)

	// partner B sees only its own cases (this one and its certification
	// on record), not partner A's
	signIn(t, ctx, s.baseURL, s.adminB, cases.RoleAdmin)
	if rows := rowsOf(t, ctx); len(rows) != 2 || !slices.Contains(rows, other.ID) || !slices.Contains(rows, certifiedB) {
		t.Errorf("partner B's case list shows %v, want only %s and %s", rows, other.ID, certifiedB)
	}
	run(t, ctx, "partner B opens its case", chromedp.Navigate(s.baseURL+"/console/cases/"+other.ID), chromedp.WaitVisible(chromedp.ID(`activity`)))
	if notes := value(t, ctx, "read the comments", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#activity li')).map(e => e.dataset.activity + ': ' + e.textContent)`)); len(notes) != 2 ||
		strings.Contains(strings.Join(notes, " "), "Called the partner") {
		t.Errorf("partner B's timeline shows %q, want the two comments meant for the partner only", notes)
	}
	accessible(t, ctx, "partner case with comments")
	run(t, ctx, "partner B opens A's case", chromedp.Navigate(s.baseURL+"/console/cases/"+breached.ID), chromedp.WaitVisible(chromedp.CSS(`main .error`)))
	noHorizontalOverflow(t, ctx, "partner list")
	signOut(t, ctx)

	// a link followed while signed out leads there after signing in
	signInAt(t, ctx, s.baseURL+"/console/dashboard", s.supervisor, cases.RoleSupervisor)
	run(t, ctx, "land on the dashboard", chromedp.WaitVisible(chromedp.CSS(`svg.chart`)))
	noHorizontalOverflow(t, ctx, "dashboard")
	keep(t, ctx, "console-dashboard.png")

	// the escalation of the breached ticket says it is no longer late, now
	// the ticket is resolved; mark all read leaves nothing unread
	run(t, ctx, "open the escalations", chromedp.Navigate(s.baseURL+"/console/notifications?kind=sla_breached"),
		chromedp.WaitVisible(chromedp.CSS(`#notifications [data-now]`)))
	if now := value(t, ctx, "read what is late now", chromedp.Text(chromedp.CSS(`#notifications [data-now]`))); !strings.Contains(now, "No longer late") {
		t.Errorf("the escalation of the resolved ticket says %q, want no longer late", now)
	}
	run(t, ctx, "mark all read", chromedp.Click(chromedp.CSS(`#mark-all-read button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#notifications tr.unread`)), chromedp.WaitVisible(chromedp.CSS(`#notifications [data-now]`)))
	everyWidthAndLanguage(t, ctx, s.baseURL, breached.ID)
}

// everyWidthAndLanguage opens each console page at 1280 and 390 px, in
// English and then Chinese (the header's switch): none is wider than the
// window and axe finds no serious or critical violation on any.
func everyWidthAndLanguage(t *testing.T, ctx context.Context, baseURL, caseID string) {
	pages := []struct{ name, path, shot string }{
		{"queues", "/console", "queues"}, {"breached", "/console?queue=breached", ""}, {"case", "/console/cases/" + caseID, "case"},
		{"my cases", "/console?queue=mine", ""}, {"search", "/console?q=" + caseID[:8], ""},
		{"notifications", "/console/notifications", ""}, {"dashboard", "/console/dashboard", ""}, {"calendar", "/console/calendar", ""},
	}
	for _, lang := range []string{"en", "zh-CN"} {
		if lang != "en" {
			run(t, ctx, "switch to "+lang, chromedp.Click(chromedp.CSS(`#language button`)), chromedp.WaitVisible(chromedp.ID(`signed-in-role`)))
		}
		for _, width := range []int64{1280, 390} {
			run(t, ctx, fmt.Sprintf("%d px wide", width), chromedp.EmulateViewport(width, 800))
			for _, p := range pages {
				run(t, ctx, "open "+p.name, chromedp.Navigate(baseURL+p.path), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
				if got := value(t, ctx, "read the language", chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
					t.Errorf("%s is in %q, want %q", p.name, got, lang)
				}
				fitsWidth(t, ctx, p.name+"-"+lang, int(width))
				accessible(t, ctx, fmt.Sprintf("%s %s %dpx", p.name, lang, width))
				if p.shot != "" {
					keep(t, ctx, fmt.Sprintf("console-%s-%s-%d.png", p.shot, lang, width))
				}
			}
		}
		if lang == "zh-CN" {
			if nav := value(t, ctx, "read the navigation", chromedp.Text(chromedp.CSS(`header nav`))); !strings.Contains(nav, "看板") {
				t.Errorf("the Chinese navigation reads %q", nav)
			}
		}
	}
	run(t, ctx, "back to English", chromedp.Click(chromedp.CSS(`#language button`)), chromedp.EmulateViewport(1280, 800))
}

// workManagement, signed in as ops: searches a case by its ID, claims it
// and finds it in "My cases" (not in "Unassigned"), assigns the ticked
// cases at once (the closed one refused beside its row), and sends a form
// after the case moved in another tab: the page says what happened.
func workManagement(t *testing.T, ctx context.Context, s *system, breached, other, closed string) {
	t.Helper()
	run(t, ctx, "search a case by its ID",
		chromedp.Navigate(s.baseURL+"/console"), chromedp.WaitVisible(chromedp.ID(`f-search`)),
		chromedp.SendKeys(chromedp.ID(`f-search`), strings.ToUpper(other[len(other)-12:])), chromedp.Submit(chromedp.ID(`f-search`)),
		chromedp.WaitVisible(chromedp.ID(`clear-filters`)), chromedp.WaitVisible(chromedp.CSS(`#case-list tr[data-case="`+other+`"]`)))
	if rows := rowsOf(t, ctx); !slices.Equal(rows, []string{other}) {
		t.Errorf("searching %s finds %v", other[len(other)-12:], rows)
	}
	run(t, ctx, "claim it",
		chromedp.Click(chromedp.CSS(`#case-list tr[data-case="`+other+`"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`#claim button`)), chromedp.Click(chromedp.CSS(`#claim button`)),
		chromedp.WaitVisible(chromedp.CSS(`#activity [data-activity=assigned]`)))
	me := value(t, ctx, "read who is signed in", chromedp.Text(chromedp.ID(`signed-in-as`)))
	if who := value(t, ctx, "read the assignee", chromedp.Text(chromedp.ID(`case-assignee`))); who != me {
		t.Errorf("after claiming, the case's assignee is %q, want %q", who, me)
	}
	// an internal note and a comment for the partner, on the timeline; the
	// partner reads only its own through the API, and may not write an
	// internal note
	run(t, ctx, "write an internal note",
		chromedp.SendKeys(chromedp.ID(`f-comment`), "Called the partner: the certificate is being renewed"),
		chromedp.Click(chromedp.CSS(`#comment button`)), chromedp.WaitVisible(chromedp.CSS(`#activity [data-activity=comment]`)))
	run(t, ctx, "write a comment for the partner",
		chromedp.SendKeys(chromedp.ID(`f-comment`), "请上传新的营业执照"),
		chromedp.Click(chromedp.CSS(`#comment input[name=visibility][value=partner]`)),
		chromedp.Click(chromedp.CSS(`#comment button`)), chromedp.WaitVisible(chromedp.CSS(`#activity li[data-activity=comment]:nth-of-type(3)`)))
	accessible(t, ctx, "case with comments")
	seen := decode[struct {
		Comments []struct{ Comment, Visibility string }
	}](t, s.call("GET", "/v1/cases/"+other+"/comments", s.adminB, nil).expect(t, 200))
	if len(seen.Comments) != 1 || seen.Comments[0].Comment != "请上传新的营业执照" || seen.Comments[0].Visibility != "partner" {
		t.Errorf("partner B reads the comments %+v, want only the one meant for it", seen.Comments)
	}
	s.call("POST", "/v1/cases/"+other+"/comments", s.adminB, map[string]string{"comment": "note", "visibility": "internal"}).expect(t, 422)
	s.call("POST", "/v1/cases/"+other+"/comments", s.adminB, map[string]string{"comment": "bell \u0007"}).expect(t, 422)
	s.call("POST", "/v1/cases/"+other+"/comments", s.adminB, map[string]string{"comment": "Uploaded"}).expect(t, 201)
	staffSees := decode[struct{ Comments []struct{ Comment string } }](t, s.call("GET", "/v1/cases/"+other+"/comments", s.ops, nil).expect(t, 200))
	if len(staffSees.Comments) != 3 {
		t.Errorf("ops read the comments %+v, want all three", staffSees.Comments)
	}

	// the API says the same: the case is ops', another's claim is refused,
	// the partner's side may not claim and is not shown the assignee
	if p := decode[problem](t, s.call("POST", "/v1/cases/"+other+"/claim", s.supervisor, nil).expect(t, 409)); p.Type != "urn:partnerops:problem:case-assigned" || !strings.Contains(p.Detail, me) {
		t.Errorf("the supervisor's claim of ops' case answers %+v", p)
	}
	s.call("POST", "/v1/cases/"+other+"/claim", s.adminB, nil).expect(t, 403)
	mine := decode[struct{ Cases []cases.Case }](t, s.call("GET", "/v1/cases?assignee=me", s.ops, nil).expect(t, 200))
	if len(mine.Cases) != 1 || mine.Cases[0].ID != other || mine.Cases[0].AssigneeID == "" {
		t.Errorf("GET /v1/cases?assignee=me answers %+v", mine.Cases)
	}
	theirs := decode[struct{ Cases []cases.Case }](t, s.call("GET", "/v1/cases?q="+other[len(other)-12:], s.adminB, nil).expect(t, 200))
	if len(theirs.Cases) != 1 || theirs.Cases[0].AssigneeID != "" {
		t.Errorf("partner B's search for its case answers %+v (found, without its assignee)", theirs.Cases)
	}
	s.call("GET", "/v1/cases?assignee=me", s.adminB, nil).expect(t, 422)
	run(t, ctx, "open my cases", chromedp.Navigate(s.baseURL+"/console"), chromedp.WaitVisible(chromedp.ID(`queue-mine`)),
		chromedp.Click(chromedp.ID(`queue-mine`)), chromedp.WaitVisible(chromedp.ID(`case-list`)))
	if rows := rowsOf(t, ctx); !slices.Equal(rows, []string{other}) {
		t.Errorf("my cases are %v, want %s", rows, other)
	}
	run(t, ctx, "open the unassigned", chromedp.Click(chromedp.ID(`queue-unassigned`)), chromedp.WaitVisible(chromedp.ID(`case-list`)))
	if rows := rowsOf(t, ctx); slices.Contains(rows, other) || !slices.Contains(rows, breached) {
		t.Errorf("the unassigned queue shows %v, want %s and not %s", rows, breached, other)
	}

	// through the API: a partner's admin is no assignee; unassigned and
	// claimed again
	if p := decode[problem](t, s.call("PUT", "/v1/cases/"+other+"/assignee", s.ops, map[string]string{"assignee_id": "prn_nobody"}).expect(t, 422)); len(p.Errors) != 1 || p.Errors[0].Field != "assignee_id" {
		t.Errorf("assigning to no staff member answers %+v", p)
	}
	if c := decode[cases.Case](t, s.call("DELETE", "/v1/cases/"+other+"/assignee", s.ops, nil).expect(t, 200)); c.AssigneeID != "" {
		t.Errorf("unassigned, the case still names %q", c.AssigneeID)
	}
	if c := decode[cases.Case](t, s.call("POST", "/v1/cases/"+other+"/claim", s.ops, nil).expect(t, 200)); c.AssigneeID == "" {
		t.Error("claimed again, the case names no assignee")
	}

	// newest first, the one in review before the breached ticket; soonest
	// deadline first, the breached ticket alone (the other has no deadline)
	run(t, ctx, "open cases, newest first", chromedp.Navigate(s.baseURL+"/console?queue=open"), chromedp.WaitVisible(chromedp.ID(`case-list`)))
	if rows := rowsOf(t, ctx); !slices.Equal(rows, []string{other, breached}) {
		t.Errorf("open cases newest first lists %v, want %s then %s", rows, other, breached)
	}
	run(t, ctx, "sort by deadline, 50 a page",
		chromedp.WaitVisible(chromedp.ID(`f-sort`)),
		chromedp.SetValue(chromedp.ID(`f-sort`), "deadline"), chromedp.SetValue(chromedp.ID(`f-size`), "50"),
		chromedp.Submit(chromedp.ID(`f-sort`)), chromedp.WaitVisible(chromedp.ID(`clear-filters`)))
	if rows := rowsOf(t, ctx); !slices.Equal(rows, []string{breached}) {
		t.Errorf("soonest deadline first lists %v, want only %s", rows, breached)
	}
	if total := value(t, ctx, "read the total", chromedp.Text(chromedp.ID(`case-total`))); total != "1 case" {
		t.Errorf("the list's total says %q, want 1 case", total)
	}
	if size := value(t, ctx, "read the page size", chromedp.Evaluate[string](`new URL(location).searchParams.get('size')`)); size != "50" {
		t.Errorf("the page size in the address is %q, want 50", size)
	}
	// the list kept as a view, opened again from the queues page
	run(t, ctx, "save the view",
		chromedp.SendKeys(chromedp.ID(`f-view-name`), "Soonest deadlines"), chromedp.Submit(chromedp.ID(`f-view-name`)),
		chromedp.WaitVisible(chromedp.CSS(`#saved-views a`)),
		chromedp.Navigate(s.baseURL+"/console"), chromedp.WaitVisible(chromedp.CSS(`#saved-views a`)),
		chromedp.Click(chromedp.CSS(`#saved-views a`)), chromedp.WaitVisible(chromedp.ID(`clear-filters`)))
	if rows := rowsOf(t, ctx); !slices.Equal(rows, []string{breached}) {
		t.Errorf("the saved view lists %v, want only %s", rows, breached)
	}
	// the keyboard: ? shows the help, / goes to the search box, j marks the
	// first case, a claims it
	run(t, ctx, "keyboard shortcuts",
		chromedp.KeyEvent("?"), chromedp.WaitVisible(chromedp.ID(`shortcuts`)),
		chromedp.KeyEvent("/"), chromedp.WaitReady(chromedp.CSS(`#f-search:focus`)),
		chromedp.KeyEvent("\x1b"))
	accessible(t, ctx, "shortcuts help")
	run(t, ctx, "j then a claims the first case",
		chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`),
		chromedp.KeyEvent("j"), chromedp.WaitVisible(chromedp.CSS(`#case-list tr.current[data-case="`+breached+`"]`)),
		chromedp.KeyEvent("a"), chromedp.WaitVisible(chromedp.ID(`case-assignee`)))
	if who := value(t, ctx, "read the claimed case's assignee", chromedp.Text(chromedp.ID(`case-assignee`))); who != me {
		t.Errorf("after j and a, the case's assignee is %q, want %q", who, me)
	}
	run(t, ctx, "assign two cases at once",
		chromedp.Navigate(s.baseURL+"/console"), chromedp.WaitVisible(chromedp.ID(`case-list`)),
		chromedp.Click(chromedp.CSS(`input[name=case_id][value="`+breached+`"]`)),
		chromedp.Click(chromedp.CSS(`input[name=case_id][value="`+closed+`"]`)),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(s => { s.value = Array.from(s.options).find(o => o.text === 'Sam Supervisor').value; return true })(document.getElementById('f-bulk-assignee'))`)(ctx, t)
			return err
		}),
		chromedp.Click(chromedp.CSS(`#bulk button`)),
		chromedp.WaitVisible(chromedp.CSS(`#case-list tr[data-case="`+closed+`"] .bulk-result`)))
	results := value(t, ctx, "read the results", chromedp.Evaluate[map[string]string](`Object.fromEntries(Array.from(
		document.querySelectorAll('#case-list tr[data-case] .bulk-result')).map(e => [e.closest('tr').dataset.case, e.dataset.result + ': ' + e.textContent]))`))
	if !strings.HasPrefix(results[breached], "ok") || !strings.Contains(results[closed], "closed") || len(results) != 2 {
		t.Errorf("the bulk assignment says %v, want %s assigned and %s refused as closed", results, breached, closed)
	}
	fitsWidth(t, ctx, "bulk-result", 1280)
	accessible(t, ctx, "bulk result")

	// approve in this tab while another rejects: the page says so
	run(t, ctx, "open the case to approve",
		chromedp.Navigate(s.baseURL+"/console/cases/"+other), chromedp.WaitVisible(chromedp.ID(`action-approve`)))
	s.call("POST", "/v1/cases/"+other+"/actions/reject", s.supervisor, map[string]string{"reason": "Certificate expired"}).expect(t, 200)
	run(t, ctx, "approve the moved case",
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.querySelectorAll('#action-approve input[name=confirm]').forEach(e => e.checked = true); true`)(ctx, t)
			return err
		}),
		chromedp.Click(chromedp.CSS(`#action-approve button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID(`stale`)))
	if says := value(t, ctx, "read the stale message", chromedp.Text(chromedp.ID(`stale`))); !strings.Contains(says, "Sam Supervisor") || !strings.Contains(says, "rejected") {
		t.Errorf("the stale form says %q, want who rejected it", says)
	}
	run(t, ctx, "back to the queues", chromedp.Navigate(s.baseURL+"/console"), chromedp.WaitVisible(chromedp.ID(`queues`)))
}
