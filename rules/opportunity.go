package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// An opportunity is a customer project a partner shares with the vendor
// (partner-originated, PO) or the vendor shares with a partner (HO). Two
// kinds of rule judge it. Validate is the form: a field that is malformed
// (a date that is no date, an unknown enum value, text too long) is bad
// input, refused with nothing written. Check is the program's validity: a
// well-formed opportunity may still miss what the vendor needs to back it
// (a contact, a budget and timeline, incremental revenue, a clear need and
// next action); each such finding carries a reason code, and the partner
// fixes and resubmits it.

// IncrementalKind says what makes the opportunity's revenue new to the
// vendor: spend the customer already has with the vendor is not incremental.
type IncrementalKind string

const (
	NewWorkload               IncrementalKind = "new_workload"
	MigrationFromAnotherCloud IncrementalKind = "migration_from_another_cloud"
	Expansion                 IncrementalKind = "expansion"
)

// IncrementalKinds lists the kinds, in the order the API documents them.
func IncrementalKinds() []IncrementalKind {
	return []IncrementalKind{NewWorkload, MigrationFromAnotherCloud, Expansion}
}

// NeedCategory is the kind of business need an opportunity answers.
type NeedCategory string

const (
	NeedCostReduction NeedCategory = "cost_reduction"
	NeedModernisation NeedCategory = "modernisation"
	NeedNewProduct    NeedCategory = "new_product"
	NeedScale         NeedCategory = "scale"
	NeedCompliance    NeedCategory = "compliance"
	NeedOther         NeedCategory = "other"
)

// NeedCategories lists the categories, in the order the API documents them.
func NeedCategories() []NeedCategory {
	return []NeedCategory{NeedCostReduction, NeedModernisation, NeedNewProduct, NeedScale, NeedCompliance, NeedOther}
}

// Reason codes of the validity rules: each failed rule is named by one.
const (
	ReasonNoCustomerContact    = "no_customer_contact"
	ReasonNoBudgetOrTimeline   = "no_budget_or_timeline"
	ReasonNoIncrementalRevenue = "no_incremental_revenue"
	ReasonVagueDescription     = "vague_description"
)

// Limits of an opportunity's fields, in characters (runes).
const (
	MaxOpportunityTextLength   = 200  // names, industry, a product, an owner
	MaxBusinessNeedLength      = 2000 // the business need's description
	MaxNextActionLength        = 1000 // the next action's description
	MaxOpportunityProducts     = 20
	MinBusinessNeedLength      = 40 // below this a need is too short to tell what the customer wants
	MinBusinessNeedWords       = 6
	MinNextActionLength        = 20
	MinNextActionWords         = 4
	MinDistinctLetters         = 5 // "abab abab abab" is not a description
	MaxRepeatedLetter          = 3 // "zzzz": a letter four times in a row is filler
	MaxCustomerCertificateRune = MaxCertificateNumberLength
)

// CustomerOfOpportunity is the customer an opportunity is about.
type CustomerOfOpportunity struct {
	Name     string `json:"name" doc:"The customer's company name"`
	Industry string `json:"industry" doc:"The customer's industry, e.g. retail"`
	// CertificateNumber identifies the customer's company when known; with
	// the normalised name it tells a likely duplicate.
	CertificateNumber string `json:"certificate_number,omitempty" doc:"The customer's business certificate number, when known"`
}

// CustomerContact is the customer's contact person on an opportunity: a
// name, and a phone or an e-mail (one is enough).
type CustomerContact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// BusinessNeed is what the customer wants to achieve.
type BusinessNeed struct {
	Category    NeedCategory `json:"category,omitempty" doc:"What kind of need it is"`
	Description string       `json:"description,omitempty" doc:"The customer's need in a few sentences: what, why now"`
}

// NextAction is the next key step on the opportunity: what, who, by when.
type NextAction struct {
	Description string `json:"description,omitempty" doc:"What happens next, e.g. a workshop on the migration plan"`
	Owner       string `json:"owner,omitempty" doc:"Who does it"`
	DueDate     string `json:"due_date,omitempty" doc:"By when, YYYY-MM-DD"`
}

// Opportunity is an opportunity as a partner registers it (or ops describe
// a vendor one). What the validity rules look for may be missing here: its
// absence is a finding (Check), not bad input (Validate).
type Opportunity struct {
	Customer CustomerOfOpportunity `json:"customer"`
	// Contact is the customer's contact person; hidden from an invited
	// partner until it accepts.
	Contact       *CustomerContact `json:"contact,omitempty" doc:"The customer's contact person, with a phone or an e-mail"`
	Budget        *Money           `json:"budget,omitempty" doc:"The customer's budget for the project"`
	ExpectedStart string           `json:"expected_start,omitempty" doc:"When the project is expected to start, YYYY-MM-DD"`
	ExpectedClose string           `json:"expected_close,omitempty" doc:"When the deal is expected to close, YYYY-MM-DD"`
	// IncrementalRevenue is the new cloud spend a year the opportunity brings.
	IncrementalRevenue *Money          `json:"incremental_revenue_per_year,omitempty" doc:"New cloud spend a year, in minor units"`
	Incremental        IncrementalKind `json:"incremental,omitempty" doc:"What is incremental: new_workload, migration_from_another_cloud or expansion (not spend the customer already has with the vendor)"`
	BusinessNeed       BusinessNeed    `json:"business_need,omitempty"`
	NextAction         NextAction      `json:"next_action,omitempty"`
	Products           []string        `json:"products" doc:"The vendor's products of interest"`
}

// Normalized trims every string and upper-cases the certificate number; the
// result shares no memory with o.
func (o Opportunity) Normalized() Opportunity {
	n := Opportunity{
		Customer: CustomerOfOpportunity{
			Name:              strings.TrimSpace(o.Customer.Name),
			Industry:          strings.TrimSpace(o.Customer.Industry),
			CertificateNumber: strings.ToUpper(strings.TrimSpace(o.Customer.CertificateNumber)),
		},
		ExpectedStart: strings.TrimSpace(o.ExpectedStart),
		ExpectedClose: strings.TrimSpace(o.ExpectedClose),
		Incremental:   IncrementalKind(strings.TrimSpace(string(o.Incremental))),
		BusinessNeed: BusinessNeed{
			Category:    NeedCategory(strings.TrimSpace(string(o.BusinessNeed.Category))),
			Description: strings.TrimSpace(o.BusinessNeed.Description),
		},
		NextAction: NextAction{
			Description: strings.TrimSpace(o.NextAction.Description),
			Owner:       strings.TrimSpace(o.NextAction.Owner),
			DueDate:     strings.TrimSpace(o.NextAction.DueDate),
		},
		Products: make([]string, len(o.Products)),
	}
	if o.Contact != nil {
		n.Contact = &CustomerContact{
			Name:  strings.TrimSpace(o.Contact.Name),
			Phone: strings.TrimSpace(o.Contact.Phone),
			Email: strings.TrimSpace(o.Contact.Email),
		}
	}
	if o.Budget != nil {
		b := *o.Budget
		n.Budget = &b
	}
	if o.IncrementalRevenue != nil {
		r := *o.IncrementalRevenue
		n.IncrementalRevenue = &r
	}
	for i, p := range o.Products {
		n.Products[i] = strings.TrimSpace(p)
	}
	return n
}

// Validate names every malformed field at once: the form, not the
// program's validity (Check). It judges o.Normalized().
func (o Opportunity) Validate() FieldErrors {
	o = o.Normalized()
	var errs FieldErrors
	checkFreeText(&errs, "customer.name", o.Customer.Name, MaxOpportunityTextLength, true)
	checkFreeText(&errs, "customer.industry", o.Customer.Industry, MaxOpportunityTextLength, true)
	if cert := o.Customer.CertificateNumber; cert != "" && (utf8.RuneCountInString(cert) > MaxCustomerCertificateRune ||
		strings.ContainsFunc(cert, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') })) {
		errs.add("customer.certificate_number", fmt.Sprintf("must be at most %d letters and digits", MaxCustomerCertificateRune))
	}
	if c := o.Contact; c != nil {
		checkFreeText(&errs, "contact.name", c.Name, MaxContactNameLength, false)
		if c.Phone != "" && !validPhone(c.Phone) {
			errs.add("contact.phone", fmt.Sprintf("must be %d-%d digits, optionally starting with '+' and separated by single spaces or hyphens",
				MinPhoneDigits, MaxPhoneDigits))
		}
		if c.Email != "" && (utf8.RuneCountInString(c.Email) > MaxEmailLength || !validEmail(c.Email)) {
			errs.add("contact.email", "must be a plain email address such as \"name@example.com\"")
		}
	}
	checkAmount(&errs, "budget", o.Budget)
	checkAmount(&errs, "incremental_revenue_per_year", o.IncrementalRevenue)
	checkDate(&errs, "expected_start", o.ExpectedStart)
	checkDate(&errs, "expected_close", o.ExpectedClose)
	if o.Incremental != "" && !slices.Contains(IncrementalKinds(), o.Incremental) {
		errs.add("incremental", "must be one of "+joinCustomerWords(IncrementalKinds()))
	}
	if c := o.BusinessNeed.Category; c != "" && !slices.Contains(NeedCategories(), c) {
		errs.add("business_need.category", "must be one of "+joinCustomerWords(NeedCategories()))
	}
	checkFreeText(&errs, "business_need.description", o.BusinessNeed.Description, MaxBusinessNeedLength, false)
	checkFreeText(&errs, "next_action.description", o.NextAction.Description, MaxNextActionLength, false)
	checkFreeText(&errs, "next_action.owner", o.NextAction.Owner, MaxOpportunityTextLength, false)
	checkDate(&errs, "next_action.due_date", o.NextAction.DueDate)
	switch {
	case len(o.Products) == 0:
		errs.add("products", "must name at least one product of interest")
	case len(o.Products) > MaxOpportunityProducts:
		errs.add("products", fmt.Sprintf("must name at most %d products", MaxOpportunityProducts))
	}
	for i, p := range o.Products {
		field := fmt.Sprintf("products[%d]", i)
		checkFreeText(&errs, field, p, MaxOpportunityTextLength, true)
		if p != "" && slices.Index(o.Products, p) < i {
			errs.add(field, "is named twice")
		}
	}
	return errs
}

// Finding is one failed validity rule: its reason code, the field it is
// about and what to fix.
type Finding struct {
	Reason  string `json:"reason" enum:"no_customer_contact,no_budget_or_timeline,no_incremental_revenue,vague_description" doc:"The rule that failed"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Check applies the validity rules to a well-formed opportunity (Validate
// found nothing) and names every failure at once, in rule order. today is
// the civil date the check runs on, in the business time zone: an expected
// close already past is no timeline.
func (o Opportunity) Check(today time.Time) []Finding {
	o = o.Normalized()
	var found []Finding
	add := func(reason, field, message string) {
		found = append(found, Finding{Reason: reason, Field: field, Message: message})
	}

	// a customer contact person with a way to reach them
	switch c := o.Contact; {
	case c == nil:
		add(ReasonNoCustomerContact, "contact", "name the customer's contact person with a phone or an e-mail")
	default:
		switch p := placeholderProblem(c.Name); {
		case c.Name == "":
			add(ReasonNoCustomerContact, "contact.name", "name the contact person")
		case p != "":
			add(ReasonNoCustomerContact, "contact.name", "name the contact person: it "+p)
		}
		if c.Phone == "" && c.Email == "" {
			add(ReasonNoCustomerContact, "contact", "give the contact person's phone or e-mail")
		}
	}

	// a budget and a timeline
	if o.Budget == nil || o.Budget.Amount == 0 {
		add(ReasonNoBudgetOrTimeline, "budget", "give the customer's budget (an amount above 0)")
	}
	start, close := parseDate(o.ExpectedStart), parseDate(o.ExpectedClose)
	if start == nil {
		add(ReasonNoBudgetOrTimeline, "expected_start", "give the expected start date")
	}
	switch {
	case close == nil:
		add(ReasonNoBudgetOrTimeline, "expected_close", "give the expected close date")
	case start != nil && close.Before(*start):
		add(ReasonNoBudgetOrTimeline, "expected_close", "must not be before expected_start")
	case close.Before(civilDay(today)):
		add(ReasonNoBudgetOrTimeline, "expected_close", "is in the past; give the date the deal is now expected to close")
	}

	// incremental revenue
	if o.IncrementalRevenue == nil || o.IncrementalRevenue.Amount == 0 {
		add(ReasonNoIncrementalRevenue, "incremental_revenue_per_year", "give the new cloud spend a year (an amount above 0)")
	}
	if o.Incremental == "" {
		add(ReasonNoIncrementalRevenue, "incremental", "say what is incremental: "+joinCustomerWords(IncrementalKinds()))
	}

	// a business need or a next key action, clear (the seed: vague when it
	// shows neither); a placeholder fails wherever it stands
	needProblem := VaguenessProblem(o.BusinessNeed.Description, MinBusinessNeedLength, MinBusinessNeedWords)
	actionProblem := VaguenessProblem(o.NextAction.Description, MinNextActionLength, MinNextActionWords)
	needPlaceholder, actionPlaceholder := placeholderProblem(o.BusinessNeed.Description), placeholderProblem(o.NextAction.Description)
	if needPlaceholder != "" {
		add(ReasonVagueDescription, "business_need.description", needPlaceholder)
	}
	if actionPlaceholder != "" {
		add(ReasonVagueDescription, "next_action.description", actionPlaceholder)
	}
	if (needProblem == "" && o.BusinessNeed.Category != "") || (actionProblem == "" && o.NextAction.DueDate != "") {
		return found
	}
	const either = " (a clear business need or a clear next action is required)"
	if o.BusinessNeed.Category == "" {
		add(ReasonVagueDescription, "business_need.category", "say what kind of need it is: "+joinCustomerWords(NeedCategories())+either)
	}
	if needProblem != "" && needPlaceholder == "" {
		add(ReasonVagueDescription, "business_need.description", needProblem+either)
	}
	if actionProblem != "" && actionPlaceholder == "" {
		add(ReasonVagueDescription, "next_action.description", actionProblem+either)
	}
	if o.NextAction.DueDate == "" {
		add(ReasonVagueDescription, "next_action.due_date", "say by when the next action happens"+either)
	}
	return found
}

// FindingReasons are the distinct reason codes of findings, in order.
func FindingReasons(found []Finding) []string {
	reasons := []string{}
	for _, f := range found {
		if !slices.Contains(reasons, f.Reason) {
			reasons = append(reasons, f.Reason)
		}
	}
	return reasons
}

// placeholders are the fillers a field may not consist of, as squash
// leaves them (lower-case letters and digits only: "N/A" is "na").
var placeholders = []string{
	"tbd", "tba", "tbc", "na", "none", "nil", "null", "test", "testing", "todo", "xxx", "x", "unknown",
	"asdf", "qwerty", "loremipsum", "tobedetermined", "tobedefined", "tobeconfirmed", "notapplicable",
	"nothing", "same", "etc", "待定", "无", "暂无", "测试", "未知",
}

// VaguenessProblem says why text is too vague to describe a need or an
// action, or "" when it is clear enough. The rules, in the order they are
// applied: present; not a placeholder ("TBD", "n/a", "test", or only
// punctuation) nor made of placeholder words only; no letter repeated more
// than MaxRepeatedLetter times in a row and at least MinDistinctLetters
// different letters; at least minRunes characters and minWords distinct
// words (a Chinese character counts as one word).
func VaguenessProblem(text string, minRunes, minWords int) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return "is missing"
	}
	if p := placeholderProblem(text); p != "" {
		return p
	}
	var prev rune
	run, letters := 0, map[rune]bool{}
	for _, r := range strings.ToLower(text) {
		if r == prev && unicode.IsLetter(r) {
			run++
			if run > MaxRepeatedLetter {
				return fmt.Sprintf("repeats %q more than %d times in a row", r, MaxRepeatedLetter)
			}
		} else {
			run = 1
		}
		prev = r
		if unicode.IsLetter(r) {
			letters[r] = true
		}
	}
	if len(letters) < MinDistinctLetters {
		return fmt.Sprintf("uses fewer than %d different letters", MinDistinctLetters)
	}
	if n := utf8.RuneCountInString(text); n < minRunes {
		return fmt.Sprintf("is too short: at least %d characters, it has %d", minRunes, n)
	}
	if n := len(distinctWords(text)); n < minWords {
		return fmt.Sprintf("is too short: at least %d different words, it has %d", minWords, n)
	}
	return ""
}

// placeholderProblem says why text is a placeholder, or "".
func placeholderProblem(text string) string {
	if strings.TrimSpace(text) == "" {
		return ""
	}
	if s := squash(text); s == "" || slices.Contains(placeholders, s) {
		return fmt.Sprintf("is a placeholder (%q)", strings.TrimSpace(text))
	}
	words := distinctWords(text)
	for w := range words {
		// a lone Latin letter ("n/a" is "n" and "a") says nothing either
		if !slices.Contains(placeholders, w) && (len(w) > 1 || unicode.Is(unicode.Han, []rune(w)[0])) {
			return ""
		}
	}
	return fmt.Sprintf("is made of placeholders only (%q)", strings.TrimSpace(text))
}

// distinctWords are text's words, lower-cased: runs of letters and digits,
// and each Han character on its own.
func distinctWords(text string) map[string]bool {
	words := map[string]bool{}
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words[b.String()] = true
			b.Reset()
		}
	}
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			words[string(r)] = true
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return words
}

// squash keeps text's letters and digits, lower-cased.
func squash(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// legalForms are the trailing words and suffixes a customer's name is
// compared without: "Acme Co., Ltd." is "acme".
var (
	legalFormWords    = []string{"co", "ltd", "limited", "inc", "incorporated", "llc", "corp", "corporation", "company", "gmbh", "plc", "ag", "sa", "group"}
	legalFormSuffixes = []string{"股份有限公司", "有限责任公司", "有限公司", "集团"}
)

// CustomerNameKey is a customer's name as duplicates are told by: words
// lower-cased without punctuation, trailing legal forms (Co., Ltd., Inc.,
// 有限公司…) dropped, then the letters and digits alone.
func CustomerNameKey(name string) string {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for len(words) > 1 && slices.Contains(legalFormWords, words[len(words)-1]) {
		words = words[:len(words)-1]
	}
	key := strings.Join(words, "")
	for trimmed := true; trimmed; {
		trimmed = false
		for _, s := range legalFormSuffixes {
			if rest, ok := strings.CutSuffix(key, s); ok && rest != "" {
				key, trimmed = rest, true
			}
		}
	}
	return key
}

// checkFreeText reports a text field that is too long or holds control
// characters (PostgreSQL refuses a NUL byte); required reports it empty.
func checkFreeText(errs *FieldErrors, field, s string, max int, required bool) {
	switch {
	case s == "" && required:
		errs.add(field, "is required")
	case utf8.RuneCountInString(s) > max:
		errs.add(field, fmt.Sprintf("must be at most %d characters", max))
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r'
	}):
		errs.add(field, "must be text without control characters")
	}
}

// checkAmount reports money that is malformed: a negative amount or a bad
// currency. Zero is well-formed (and fails the validity rules).
func checkAmount(errs *FieldErrors, field string, m *Money) {
	if m == nil {
		return
	}
	switch {
	case m.Amount < 0:
		errs.add(field+".amount", "must not be negative (integer minor units)")
	case m.Amount > MaxMoneyAmount:
		errs.add(field+".amount", fmt.Sprintf("must be at most %d minor units", MaxMoneyAmount))
	}
	if p := CurrencyProblem(m.Currency); p != "" {
		errs.add(field+".currency", p)
	}
}

// checkDate reports a date that is given but not YYYY-MM-DD.
func checkDate(errs *FieldErrors, field, s string) {
	if s != "" && parseDate(s) == nil {
		errs.add(field, "must be a real date in the form YYYY-MM-DD")
	}
}

func parseDate(s string) *time.Time {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return nil
	}
	return &t
}

// civilDay is t's civil date at midnight UTC, comparable with parseDate's.
func civilDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
