package rules

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// PartnerType is the kind of organisation a partner is in the program.
type PartnerType string

// The partner types of the program.
const (
	SolutionProvider          PartnerType = "solution_provider"           // 解决方案提供商
	CloudReseller             PartnerType = "cloud_reseller"              // 云经销商
	SoftwarePartner           PartnerType = "software_partner"            // 软件伙伴
	ServicePartner            PartnerType = "service_partner"             // 服务伙伴
	LearningEnablementPartner PartnerType = "learning_enablement_partner" // 学习赋能伙伴
	DTCSIPartner              PartnerType = "dtc_si_partner"              // 数字化转型咨询与系统集成伙伴
)

// PartnerTypes returns every partner type, in the order the API documents them.
func PartnerTypes() []PartnerType {
	return []PartnerType{SolutionProvider, CloudReseller, SoftwarePartner, ServicePartner, LearningEnablementPartner, DTCSIPartner}
}

// Valid reports whether t is one of PartnerTypes.
func (t PartnerType) Valid() bool {
	for _, v := range PartnerTypes() {
		if t == v {
			return true
		}
	}
	return false
}

// HasLevels reports whether partners of type t have a level: only
// solution providers do.
func (t PartnerType) HasLevels() bool { return t == SolutionProvider }

// Sells reports whether partners of type t sell the vendor's cloud to
// customers (resale or solution selling): only they receive the vendor's
// opportunities.
func (t PartnerType) Sells() bool { return t == SolutionProvider || t == CloudReseller }

// SellingTypesText names the partner types that sell, for messages.
func SellingTypesText() string {
	return joinPartnerNames([]PartnerType{SolutionProvider, CloudReseller})
}

// PartnerLevel is a solution provider's level in the program.
type PartnerLevel string

// The solution-provider levels, lowest first.
const (
	LevelCertified PartnerLevel = "certified" // 认证级
	LevelPreferred PartnerLevel = "preferred" // 优选级
	LevelLeading   PartnerLevel = "leading"   // 领先级
)

// EntryLevel is the level a solution provider has when none is given.
const EntryLevel = LevelCertified

// PartnerLevels returns every level, lowest first.
func PartnerLevels() []PartnerLevel {
	return []PartnerLevel{LevelCertified, LevelPreferred, LevelLeading}
}

// StartingLevels are the levels a new solution provider may start at:
// leading is reached only through a level application with a signed
// business plan.
func StartingLevels() []PartnerLevel { return []PartnerLevel{LevelCertified, LevelPreferred} }

// Valid reports whether l is one of PartnerLevels.
func (l PartnerLevel) Valid() bool {
	for _, v := range PartnerLevels() {
		if l == v {
			return true
		}
	}
	return false
}

// NeedsBusinessPlan reports whether applying for l needs a signed
// market-expansion business plan for the current year.
func (l PartnerLevel) NeedsBusinessPlan() bool { return l == LevelLeading }

func joinPartnerNames[T ~string](values []T) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = string(v)
	}
	return strings.Join(parts, ", ")
}

// Length limits of partner records, in characters (runes).
const (
	MaxPartnerNameLength        = 200
	MaxSignedByLength           = 100
	MaxDocumentURLLength        = 500
	MaxInviteePrincipalIDLength = 100
)

const revenueCurrencyExplains = "must be an ISO 4217 code of 3 capital letters, e.g. \"CNY\""

// NewPartner is what registering a partner needs.
type NewPartner struct {
	Name  string       `json:"name"`
	Type  PartnerType  `json:"type"`
	Level PartnerLevel `json:"level"` // solution providers only; "" (or null) for the others
}

// Normalized trims the surrounding spaces of the name.
func (p NewPartner) Normalized() NewPartner {
	p.Name = strings.TrimSpace(p.Name)
	return p
}

// Validate names every bad field at once (name, type, level). Only solution
// providers have a level, and a new one starts at certified or preferred.
// It judges p.Normalized().
func (p NewPartner) Validate() FieldErrors {
	p = p.Normalized()
	var errs FieldErrors
	checkText(&errs, "name", p.Name, MaxPartnerNameLength)
	switch {
	case p.Type == "":
		errs.add("type", "is required; must be one of "+joinPartnerNames(PartnerTypes()))
	case !p.Type.Valid():
		errs.add("type", "must be one of "+joinPartnerNames(PartnerTypes()))
	}
	switch {
	case p.Level != "" && !p.Level.Valid():
		errs.add("level", "must be one of "+joinPartnerNames(StartingLevels())+" (for solution providers only)")
	case !p.Type.Valid():
		// which levels are right depends on the type
	case p.Type.HasLevels() && p.Level == "":
		errs.add("level", "is required for a solution provider; must be one of "+joinPartnerNames(StartingLevels()))
	case p.Type.HasLevels() && p.Level == LevelLeading:
		errs.add("level", "a new solution provider starts at "+joinPartnerNames(StartingLevels())+
			"; leading is reached only through a level application with a signed business plan")
	case !p.Type.HasLevels() && p.Level != "":
		errs.add("level", "only solution providers have a level; leave it out for a "+string(p.Type))
	}
	return errs
}

// RevenueTarget is a year's solution revenue target, in integer minor units.
type RevenueTarget struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

var revenueCurrencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// BusinessPlanInput is a signed market-expansion business plan as a
// partner's admin files it: a commitment letter stating the year's solution
// revenue target.
type BusinessPlanInput struct {
	Year          int            `json:"year"`
	RevenueTarget *RevenueTarget `json:"revenue_target"`
	SignedBy      string         `json:"signed_by"`
	SignedAt      string         `json:"signed_at"`
	DocumentURL   string         `json:"document_url"`
}

// BusinessPlan is a business plan that passed validation.
type BusinessPlan struct {
	Year          int
	RevenueTarget RevenueTarget
	SignedBy      string
	SignedAt      time.Time // UTC
	DocumentURL   string
}

// BusinessYear is the calendar year of now in the business time zone.
func BusinessYear(now time.Time, loc *time.Location) int { return now.In(loc).Year() }

// Validate names every bad field at once (year, revenue_target,
// revenue_target.amount, revenue_target.currency, signed_by, signed_at,
// document_url) and returns the plan when there are none. The year must be
// the current business year (in loc) or the next; the signature must not be
// later than now.
func (b BusinessPlanInput) Validate(now time.Time, loc *time.Location) (BusinessPlan, FieldErrors) {
	var errs FieldErrors
	plan := BusinessPlan{
		Year: b.Year, SignedBy: strings.TrimSpace(b.SignedBy), DocumentURL: strings.TrimSpace(b.DocumentURL),
	}
	current := BusinessYear(now, loc)
	switch {
	case b.Year == 0:
		errs.add("year", fmt.Sprintf("is required; must be %d or %d", current, current+1))
	case b.Year != current && b.Year != current+1:
		errs.add("year", fmt.Sprintf("must be the current year %d or the next, %d", current, current+1))
	}
	if b.RevenueTarget == nil {
		errs.add("revenue_target", "is required: {\"amount\": minor units > 0, \"currency\": \"CNY\"}")
	} else {
		plan.RevenueTarget = RevenueTarget{Amount: b.RevenueTarget.Amount, Currency: strings.TrimSpace(b.RevenueTarget.Currency)}
		if b.RevenueTarget.Amount <= 0 {
			errs.add("revenue_target.amount", "must be greater than 0 (integer minor units)")
		}
		switch {
		case plan.RevenueTarget.Currency == "":
			errs.add("revenue_target.currency", "is required; "+revenueCurrencyExplains)
		case !revenueCurrencyPattern.MatchString(plan.RevenueTarget.Currency):
			errs.add("revenue_target.currency", revenueCurrencyExplains)
		}
	}
	checkText(&errs, "signed_by", plan.SignedBy, MaxSignedByLength)
	signedAt := strings.TrimSpace(b.SignedAt)
	if signedAt == "" {
		errs.add("signed_at", "is required (RFC 3339 date-time)")
	} else if t, err := time.Parse(time.RFC3339, signedAt); err != nil {
		errs.add("signed_at", "must be an RFC 3339 date-time such as \"2026-03-01T10:00:00+08:00\"")
	} else if t.After(now) {
		errs.add("signed_at", "must not be in the future")
	} else {
		plan.SignedAt = t.UTC()
	}
	if p := documentURLProblem(plan.DocumentURL); p != "" {
		errs.add("document_url", p)
	}
	return plan, errs
}

// documentURLProblem says what is wrong with a signed document's address:
// it must be an absolute https URL of at most MaxDocumentURLLength characters.
func documentURLProblem(s string) string {
	switch {
	case s == "":
		return "is required (the https URL of the signed document)"
	case utf8.RuneCountInString(s) > MaxDocumentURLLength:
		return fmt.Sprintf("must be at most %d characters", MaxDocumentURLLength)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.ContainsAny(s, " \t\r\n") {
		return "must be an https URL such as \"https://files.example.com/plan-2026.pdf\""
	}
	return ""
}

// LevelApplicationInput is a solution provider's application for a level.
type LevelApplicationInput struct {
	Level PartnerLevel `json:"level"`
}

// Validate names a missing or unknown level.
func (a LevelApplicationInput) Validate() FieldErrors {
	var errs FieldErrors
	switch {
	case a.Level == "":
		errs.add("level", "is required; must be one of "+joinPartnerNames(PartnerLevels()))
	case !a.Level.Valid():
		errs.add("level", "must be one of "+joinPartnerNames(PartnerLevels()))
	}
	return errs
}

// PartnerRefusal is why a step on a partner's records is refused. Field is set when
// the input names something it may not (an unprocessable request, 422);
// otherwise the step conflicts with the current state (409). Code is a short
// slug naming the reason.
type PartnerRefusal struct {
	Code    string
	Field   string
	Message string
}

func (r *PartnerRefusal) Error() string { return r.Message }

// LevelApplicationState is what deciding on a level application looks at.
type LevelApplicationState struct {
	Type                PartnerType
	Level               PartnerLevel // the level held now
	SubmittedPending    bool         // an application is already under review
	HasCurrentYearPlan  bool         // a signed business plan for the current year is on file
	CurrentBusinessYear int
}

// LevelApplicationRefusal says why a partner in state st may not apply for
// wanted, or nil when it may. Only solution providers have levels; the level
// already held cannot be applied for; one application is reviewed at a time;
// the leading level needs a signed business plan for the current year.
func LevelApplicationRefusal(st LevelApplicationState, wanted PartnerLevel) *PartnerRefusal {
	switch {
	case !st.Type.HasLevels():
		return &PartnerRefusal{Code: "no-levels", Message: fmt.Sprintf(
			"only solution providers have levels; this partner is a %s", st.Type)}
	case st.Level == wanted:
		return &PartnerRefusal{Code: "level-already-held", Message: fmt.Sprintf("the partner already holds the %s level", wanted)}
	case st.SubmittedPending:
		return &PartnerRefusal{Code: "application-pending", Message: "an application is already under review; " +
			"wait for its decision before applying again"}
	case wanted.NeedsBusinessPlan() && !st.HasCurrentYearPlan:
		return &PartnerRefusal{Code: "business-plan-required", Message: fmt.Sprintf(
			"applying for the leading level needs a signed market-expansion business plan for %d on file; "+
				"file it first with POST /v1/partners/{id}/business-plans", st.CurrentBusinessYear)}
	}
	return nil
}

// InvitationStatus is where an invitation to join a partner stands.
type InvitationStatus string

// The states of an invitation: pending until the invitee answers.
const (
	InvitationPending  InvitationStatus = "pending"
	InvitationAccepted InvitationStatus = "accepted"
	InvitationDeclined InvitationStatus = "declined"
)

// InvitationInput is a partner admin's invitation of a personal account.
type InvitationInput struct {
	PrincipalID string `json:"principal_id"`
}

// Validate names a missing or over-long principal_id.
func (in InvitationInput) Validate() FieldErrors {
	var errs FieldErrors
	checkText(&errs, "principal_id", strings.TrimSpace(in.PrincipalID), MaxInviteePrincipalIDLength)
	return errs
}

// MemberAccount is a principal as the membership rules see it.
type MemberAccount struct {
	Exists    bool
	Role      string // admin, member, customer, ops, supervisor
	PartnerID string // "" when not associated with a partner
}

// personalAccountRole is the role of a partner's personal accounts.
const personalAccountRole = "member"

// InvitationRefusal says why a partner may not invite the account, or nil
// when it may: it must be an existing personal account, associated with no
// partner, and without a pending invitation from this partner.
func InvitationRefusal(invitee MemberAccount, pendingFromPartner bool) *PartnerRefusal {
	switch {
	case !invitee.Exists || invitee.Role != personalAccountRole:
		return &PartnerRefusal{Code: "not-a-personal-account", Field: "principal_id",
			Message: "must be the ID of a personal account (a principal of role member)"}
	case invitee.PartnerID != "":
		return &PartnerRefusal{Code: "already-associated", Message: "the personal account is already associated with a partner; " +
			"an account belongs to one partner at most"}
	case pendingFromPartner:
		return &PartnerRefusal{Code: "invitation-pending", Message: "the personal account already has a pending invitation from this partner"}
	}
	return nil
}

// AnswerRefusal says why the invitee may not answer an invitation (accept
// when accepting, else decline), or nil when it may: only a pending
// invitation is answered, and an account already associated with a partner
// cannot accept another.
func AnswerRefusal(status InvitationStatus, invitee MemberAccount, accepting bool) *PartnerRefusal {
	switch {
	case status != InvitationPending:
		return &PartnerRefusal{Code: "invitation-not-pending", Message: fmt.Sprintf("the invitation is %s, no longer pending", status)}
	case accepting && invitee.PartnerID != "":
		return &PartnerRefusal{Code: "already-associated", Message: "this account is already associated with a partner; " +
			"an account belongs to one partner at most"}
	}
	return nil
}

// RemovalRefusal says why a partner's admin may not remove the account from
// the partner, or nil when it may: the company (admin) account itself
// cannot be removed.
func RemovalRefusal(target MemberAccount) *PartnerRefusal {
	if target.Role != personalAccountRole {
		return &PartnerRefusal{Code: "cannot-remove-admin", Message: "the company (admin) account cannot be removed from its partner; " +
			"only personal accounts can"}
	}
	return nil
}

// MaxDecisionReasonLength bounds the reason of a decision on a level application.
const MaxDecisionReasonLength = 1000

// LevelDecisionProblems checks the reason of ops' decision on a level
// application: required to reject, at most MaxDecisionReasonLength
// characters either way. reason is judged trimmed.
func LevelDecisionProblems(approve bool, reason string) FieldErrors {
	var errs FieldErrors
	reason = strings.TrimSpace(reason)
	switch {
	case !approve && reason == "":
		errs.add("reason", "is required to reject")
	case utf8.RuneCountInString(reason) > MaxDecisionReasonLength:
		errs.add("reason", fmt.Sprintf("must be at most %d characters", MaxDecisionReasonLength))
	}
	return errs
}
