package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

// partnerType is a partner type in a request or answer: one of
// rules.PartnerTypes().
type partnerType rules.PartnerType

func (partnerType) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Enum: enumOf(rules.PartnerTypes()),
		Description: "The partner's type in the program: solution provider (解决方案提供商), cloud reseller (云经销商), software partner, " +
			"service partner, learning and enablement partner, digital-transformation consulting and system integration partner"}
}

// partnerLevel is a solution provider's level: one of rules.PartnerLevels().
type partnerLevel rules.PartnerLevel

func (partnerLevel) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Enum: enumOf(rules.PartnerLevels()),
		Description: "A solution provider's level: certified (认证级), preferred (优选级) or leading (领先级)"}
}

type PlanPath struct {
	PlanID string `path:"plan_id" maxLength:"64" doc:"The business plan's ID"`
}

type ApplicationPath struct {
	ApplicationID string `path:"application_id" maxLength:"64" doc:"The level application's ID"`
}

func (s *Server) partnerRoutes() {
	tags := []string{"partners"}
	register(s, huma.Operation{
		OperationID: "registerPartner", Method: http.MethodPost, Path: "/v1/partners", Tags: tags,
		Summary: "Register a partner",
		Description: "Staff only. Registers a partner and its company (admin) account, whose token the answer shows this once. " +
			"A solution provider needs a level and starts at certified or preferred; leading is reached only through a level application. " +
			"The other types have no level. Audited.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, staffRegisters, s.registerPartner)
	register(s, huma.Operation{
		OperationID: "getPartner", Method: http.MethodGet, Path: "/v1/partners/{partner_id}", Tags: tags,
		Summary: "A partner", Description: "Staff read any partner, the partner's own accounts their own.",
	}, readPartner, s.getPartner)
	register(s, huma.Operation{
		OperationID: "getPartnerSettings", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/settings", Tags: tags,
		Summary: "The partner's settings", Description: "Staff read any partner's, the partner's own accounts their own.",
	}, readPartner, s.getPartnerSettings)
	register(s, huma.Operation{
		OperationID: "updatePartnerSettings", Method: http.MethodPatch, Path: "/v1/partners/{partner_id}/settings", Tags: tags,
		Summary:     "Switch the partner's settings",
		Description: "The partner's company (admin) account switches automatic application of incentives on or off. Audited.",
		Errors:      []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, partnerAdmin, s.updatePartnerSettings)
	register(s, huma.Operation{
		OperationID: "fileBusinessPlan", Method: http.MethodPost, Path: "/v1/partners/{partner_id}/business-plans", Tags: tags,
		Summary: "File a signed business plan",
		Description: "Applying for the leading level needs a signed market-expansion business plan for the current year on file. " +
			"The partner's company (admin) account files it. Audited.",
		DefaultStatus: http.StatusCreated,
		Middlewares:   huma.Middlewares{s.withLocation},
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, partnerAdmin, s.fileBusinessPlan)
	register(s, huma.Operation{
		OperationID: "listBusinessPlans", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/business-plans", Tags: tags,
		Summary: "The partner's business plans", Description: "Newest first.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, readPartner, s.listBusinessPlans)
	register(s, huma.Operation{
		OperationID: "getBusinessPlan", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/business-plans/{plan_id}", Tags: tags,
		Summary: "A business plan",
	}, readPartner, s.getBusinessPlan)
	register(s, huma.Operation{
		OperationID: "submitLevelApplication", Method: http.MethodPost, Path: "/v1/partners/{partner_id}/level-applications", Tags: tags,
		Summary: "Apply for a level",
		Description: "The partner's company (admin) account applies. Only solution providers have levels (others 409); the level already held " +
			"is refused (409); one application is under review at a time (409); leading needs a signed business plan for the current year " +
			"(in the business time zone, PARTNEROPS_TIMEZONE) on file (409 saying so), and the application refers to the newest one. " +
			"Ops approve or reject it. Audited.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, partnerAdmin, s.submitLevelApplication)
	register(s, huma.Operation{
		OperationID: "listLevelApplications", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/level-applications", Tags: tags,
		Summary: "The partner's level applications", Description: "Newest first.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, readPartner, s.listLevelApplications)
	register(s, huma.Operation{
		OperationID: "getLevelApplication", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/level-applications/{application_id}", Tags: tags,
		Summary: "A level application",
	}, readPartner, s.getLevelApplication)
	register(s, huma.Operation{
		OperationID: "approveLevelApplication", Method: http.MethodPost,
		Path: "/v1/partners/{partner_id}/level-applications/{application_id}/approve", Tags: tags,
		Summary:     "Approve a level application",
		Description: "Staff approve a submitted level application: the partner takes the level at once. An optional reason notes why. Already decided: 409.",
		Errors:      []int{http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity},
	}, staffDecidesLevels, s.approveLevelApplication)
	register(s, huma.Operation{
		OperationID: "rejectLevelApplication", Method: http.MethodPost,
		Path: "/v1/partners/{partner_id}/level-applications/{application_id}/reject", Tags: tags,
		Summary:     "Reject a level application",
		Description: "Staff reject a submitted level application with a reason. Already decided: 409.",
		Errors:      []int{http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity},
	}, staffDecidesLevels, s.rejectLevelApplication)
}

// partnerView is a partner as the API shows it.
type partnerView struct {
	ID        string              `json:"id" example:"prt_0190b3c2"`
	Name      string              `json:"name"`
	Type      partnerType         `json:"type"`
	Level     *partnerLevel       `json:"level" nullable:"true" doc:"The solution provider's level; null for the other types"`
	Settings  partnerSettingsView `json:"settings"`
	CreatedAt time.Time           `json:"created_at"`
	CreatedBy *cases.Actor        `json:"created_by,omitempty" doc:"The staff member who registered it; absent for partners set up outside the API"`
	Status    string              `json:"status" enum:"active,exiting,exited,deregistered" doc:"Standing in the program: active; exiting (an exit case runs: no new process starts); exited (left the program: no level, no rights, only the admin's token works, to deregister); deregistered (account closed, personal data anonymised)"`
	// ExitCaseID is the running exit case, or the one the partner exited by.
	ExitCaseID     string         `json:"exit_case_id,omitempty" doc:"The running exit case, or the one the partner exited by"`
	ExitedAt       *time.Time     `json:"exited_at,omitempty"`
	DeregisteredAt *time.Time     `json:"deregistered_at,omitempty"`
	SelfRegistered bool           `json:"self_registered" doc:"Whether the partner registered itself (POST /v1/partner-registrations)"`
	Contact        *rules.Contact `json:"contact,omitempty" doc:"The contact a self-registered partner gave"`
}

// partnerSettingsView is the partner's own switches, and who last changed them.
type partnerSettingsView struct {
	AutoIncentiveApplication bool         `json:"auto_incentive_application" doc:"Whether incentives the partner earns are applied for automatically; off for a new partner"`
	UpdatedAt                *time.Time   `json:"updated_at,omitempty" doc:"When the settings were last changed; absent while never changed"`
	UpdatedBy                *cases.Actor `json:"updated_by,omitempty" doc:"Who last changed them; absent while never changed"`
}

func viewPartner(p store.Partner) partnerView {
	v := partnerView{ID: p.ID, Name: p.Name, Type: partnerType(p.Type), Settings: viewSettings(p), CreatedAt: p.CreatedAt.UTC(),
		Status: p.Status, ExitCaseID: p.ExitCaseID.String}
	if p.ExitedAt.Valid {
		at := p.ExitedAt.Time.UTC()
		v.ExitedAt = &at
	}
	if p.DeregisteredAt.Valid {
		at := p.DeregisteredAt.Time.UTC()
		v.DeregisteredAt = &at
	}
	if p.SelfRegistered {
		v.SelfRegistered = true
		v.Contact = &rules.Contact{Name: p.ContactName.String, Phone: p.ContactPhone.String, Email: p.ContactEmail.String}
	}
	if p.Level.Valid {
		level := partnerLevel(p.Level.String)
		v.Level = &level
	}
	if p.CreatedBy.Valid {
		v.CreatedBy = &cases.Actor{ID: p.CreatedBy.String, Role: p.CreatedByRole.String, Name: p.CreatedByName.String}
	}
	return v
}

func viewSettings(p store.Partner) partnerSettingsView {
	v := partnerSettingsView{AutoIncentiveApplication: p.AutoIncentiveApplication}
	if p.SettingsUpdatedAt.Valid {
		at := p.SettingsUpdatedAt.Time.UTC()
		v.UpdatedAt = &at
		v.UpdatedBy = &cases.Actor{ID: p.SettingsUpdatedBy.String, Role: p.SettingsUpdatedByRole.String, Name: p.SettingsUpdatedByName.String}
	}
	return v
}

// refusalProblem is the answer to a step the partner rules refuse: 422
// naming the field when the input names what it may not, else 409.
func refusalProblem(r *rules.PartnerRefusal) error {
	if r.Field != "" {
		return invalid(rules.FieldErrors{{Field: r.Field, Message: r.Message}})
	}
	return conflict(r.Code, r.Message)
}

// newPartnerBody is the partner to register.
type newPartnerBody struct {
	Name  string        `json:"name" maxLength:"200" doc:"Surrounding spaces are trimmed; 1 to 200 characters" example:"Acme Solutions"`
	Type  partnerType   `json:"type"`
	Level *partnerLevel `json:"level,omitempty" nullable:"true" doc:"Required for a solution provider, which starts at certified or preferred (leading is reached only through a level application); refused (or null) for the other types"`
}

func (b newPartnerBody) partner() rules.NewPartner {
	np := rules.NewPartner{Name: b.Name, Type: rules.PartnerType(b.Type)}
	if b.Level != nil {
		np.Level = rules.PartnerLevel(*b.Level)
	}
	return np
}

type registerPartnerInput struct {
	Body newPartnerBody
}

// Resolve checks the partner by the rules, naming every bad field at once.
func (in *registerPartnerInput) Resolve(huma.Context) []error {
	return ruleErrors(in.Body.partner().Validate())
}

// registeredPartner answers POST /v1/partners: the partner and its
// company (admin) account, whose token is shown this once.
type registeredPartner struct {
	Partner partnerView  `json:"partner"`
	Admin   adminAccount `json:"admin" doc:"The partner's company (admin) account"`
}

type adminAccount struct {
	PrincipalID string `json:"principal_id"`
	Name        string `json:"name" doc:"The partner's name followed by \" admin\""`
	Token       string `json:"token" doc:"The bearer token of the company (admin) account; shown this once, only its hash is kept"`
}

type registeredPartnerOutput struct {
	Location string `header:"Location" doc:"The partner's URL"`
	Body     registeredPartner
}

// registerPartner serves POST /v1/partners: staff register a partner and
// with it its company (admin) account.
func (s *Server) registerPartner(ctx context.Context, in *registerPartnerInput) (*registeredPartnerOutput, error) {
	np := in.Body.partner().Normalized()
	reg, err := s.store.RegisterPartner(ctx, np, np.Name+" admin", principalOf(ctx))
	if err != nil {
		return nil, err
	}
	return &registeredPartnerOutput{Location: "/v1/partners/" + reg.Partner.ID, Body: registeredPartner{
		Partner: viewPartner(reg.Partner),
		Admin:   adminAccount{PrincipalID: reg.Admin.ID, Name: reg.Admin.Name, Token: reg.AdminToken},
	}}, nil
}

// getPartner serves GET /v1/partners/{id}.
func (s *Server) getPartner(ctx context.Context, in *PartnerPath) (*bodyOf[partnerView], error) {
	partner, err := s.store.Partner(ctx, in.PartnerID)
	return one("partner "+in.PartnerID, partner, err, viewPartner)
}

// getPartnerSettings serves GET /v1/partners/{id}/settings.
func (s *Server) getPartnerSettings(ctx context.Context, in *PartnerPath) (*bodyOf[partnerSettingsView], error) {
	partner, err := s.store.Partner(ctx, in.PartnerID)
	return one("partner "+in.PartnerID, partner, err, viewSettings)
}

type updateSettingsInput struct {
	PartnerPath
	Body struct {
		AutoIncentiveApplication bool `json:"auto_incentive_application" doc:"true or false"`
	}
}

// updatePartnerSettings serves PATCH /v1/partners/{id}/settings: the
// partner's admin switches its own settings.
func (s *Server) updatePartnerSettings(ctx context.Context, in *updateSettingsInput) (*bodyOf[partnerSettingsView], error) {
	partner, err := s.store.UpdatePartnerSettings(ctx, in.PartnerID, in.Body.AutoIncentiveApplication, principalOf(ctx))
	return one("partner "+in.PartnerID, partner, err, viewSettings)
}

// businessPlanView is a signed business plan as the API shows it.
type businessPlanView struct {
	ID            string              `json:"id"`
	PartnerID     string              `json:"partner_id"`
	Year          int                 `json:"year"`
	RevenueTarget rules.RevenueTarget `json:"revenue_target" doc:"The year's solution revenue target, in integer minor units"`
	SignedBy      string              `json:"signed_by"`
	SignedAt      time.Time           `json:"signed_at"`
	DocumentURL   string              `json:"document_url"`
	CreatedBy     cases.Actor         `json:"created_by" doc:"The account that filed it"`
	CreatedAt     time.Time           `json:"created_at"`
}

func viewBusinessPlan(b store.BusinessPlan) businessPlanView {
	return businessPlanView{
		ID: b.ID, PartnerID: b.PartnerID, Year: b.Year,
		RevenueTarget: rules.RevenueTarget{Amount: b.RevenueAmount, Currency: b.RevenueCurrency},
		SignedBy:      b.SignedBy, SignedAt: b.SignedAt.UTC(), DocumentURL: b.DocumentURL,
		CreatedBy: cases.Actor{ID: b.CreatedBy, Role: b.CreatedByRole, Name: b.CreatedByName},
		CreatedAt: b.CreatedAt.UTC(),
	}
}

// businessPlanBody is a signed market-expansion business plan as filed:
// rules.BusinessPlanInput with its limits declared.
type businessPlanBody struct {
	Year          int                  `json:"year" doc:"The plan's year: the current year or the next, in the business time zone (PARTNEROPS_TIMEZONE)" example:"2026"`
	RevenueTarget *rules.RevenueTarget `json:"revenue_target"`
	SignedBy      string               `json:"signed_by" maxLength:"100" doc:"Who signed the commitment letter"`
	SignedAt      string               `json:"signed_at" doc:"When it was signed: RFC 3339, not in the future" example:"2026-03-01T10:00:00+08:00"`
	DocumentURL   string               `json:"document_url" maxLength:"500" doc:"The https URL of the signed document" example:"https://files.example.com/plan-2026.pdf"`
}

func (b businessPlanBody) input() rules.BusinessPlanInput {
	return rules.BusinessPlanInput{Year: b.Year, RevenueTarget: b.RevenueTarget, SignedBy: b.SignedBy, SignedAt: b.SignedAt, DocumentURL: b.DocumentURL}
}

type fileBusinessPlanInput struct {
	PartnerPath
	Idempotent
	Body businessPlanBody
	plan rules.BusinessPlan // the plan as the rules accepted it
}

// locationKey holds the business time zone in a request's context, for
// the rules that judge "this year" in a resolver.
type locationKey struct{}

// withLocation is the middleware of the operations whose resolvers need
// the business time zone.
func (s *Server) withLocation(ctx huma.Context, next func(huma.Context)) {
	next(huma.WithValue(ctx, locationKey{}, s.location))
}

// Resolve checks the plan by the rules, naming every bad field at once.
func (in *fileBusinessPlanInput) Resolve(ctx huma.Context) []error {
	loc, _ := ctx.Context().Value(locationKey{}).(*time.Location)
	plan, problems := in.Body.input().Validate(time.Now(), loc)
	in.plan = plan
	return ruleErrors(problems)
}

type businessPlanOutput struct {
	Location string `header:"Location" doc:"The plan's URL"`
	Body     businessPlanView
}

// fileBusinessPlan serves POST /v1/partners/{id}/business-plans: the
// partner's admin files a signed market-expansion business plan. A retry
// under its Idempotency-Key answers the plan filed, 201 again.
func (s *Server) fileBusinessPlan(ctx context.Context, in *fileBusinessPlanInput) (*businessPlanOutput, error) {
	filed, _, err := s.store.FileBusinessPlan(ctx, in.PartnerID, in.plan, principalOf(ctx), in.Idempotent.claim(ctx))
	if errors.Is(err, store.ErrNotFound) {
		return nil, conflict("idempotency-key-reused", "this Idempotency-Key was already used with another request")
	}
	if err != nil {
		return nil, err
	}
	return &businessPlanOutput{Location: "/v1/partners/" + in.PartnerID + "/business-plans/" + filed.ID, Body: viewBusinessPlan(filed)}, nil
}

type businessPlansOutput struct {
	Body struct {
		BusinessPlans []businessPlanView `json:"business_plans"`
		NextPage
	}
}

// listBusinessPlans serves GET /v1/partners/{id}/business-plans, newest first.
func (s *Server) listBusinessPlans(ctx context.Context, in *partnerPageInput) (*businessPlansOutput, error) {
	plans, next, err := s.store.BusinessPlans(ctx, in.PartnerID, in.page())
	if err != nil {
		return nil, err
	}
	out := &businessPlansOutput{}
	out.Body.BusinessPlans, out.Body.NextCursor = viewsOf(plans, viewBusinessPlan), next
	return out, nil
}

type businessPlanInput struct {
	PartnerPath
	PlanPath
}

// getBusinessPlan serves GET /v1/partners/{id}/business-plans/{plan_id}.
func (s *Server) getBusinessPlan(ctx context.Context, in *businessPlanInput) (*bodyOf[businessPlanView], error) {
	plan, err := s.store.BusinessPlan(ctx, in.PartnerID, in.PlanID)
	return one("business plan "+in.PlanID, plan, err, viewBusinessPlan)
}

// levelApplicationView is a level application as the API shows it.
type levelApplicationView struct {
	ID             string       `json:"id"`
	PartnerID      string       `json:"partner_id"`
	Level          partnerLevel `json:"level"`
	Status         string       `json:"status" enum:"submitted,approved,rejected" doc:"submitted while under review by ops, then approved (the partner takes the level) or rejected"`
	BusinessPlanID *string      `json:"business_plan_id" doc:"The business plan a leading application rests on; null for the other levels"`
	SubmittedBy    cases.Actor  `json:"submitted_by"`
	CreatedAt      time.Time    `json:"created_at"`
	DecidedBy      *cases.Actor `json:"decided_by,omitempty" doc:"Who decided, once decided"`
	DecidedAt      *time.Time   `json:"decided_at,omitempty"`
	DecisionReason string       `json:"decision_reason,omitempty" doc:"Why it was rejected (or a note on an approval)"`
}

func viewLevelApplication(a store.LevelApplication) levelApplicationView {
	v := levelApplicationView{
		ID: a.ID, PartnerID: a.PartnerID, Level: partnerLevel(a.Level), Status: a.Status,
		SubmittedBy: cases.Actor{ID: a.SubmittedBy, Role: a.SubmittedByRole, Name: a.SubmittedByName},
		CreatedAt:   a.CreatedAt.UTC(),
	}
	if a.BusinessPlanID.Valid {
		v.BusinessPlanID = &a.BusinessPlanID.String
	}
	if a.DecidedBy.Valid {
		at := a.DecidedAt.Time.UTC()
		v.DecidedBy = &cases.Actor{ID: a.DecidedBy.String, Role: a.DecidedByRole.String, Name: a.DecidedByName.String}
		v.DecidedAt, v.DecisionReason = &at, a.DecisionReason
	}
	return v
}

// LevelDecision is the request of ops' decision on a level application.
type LevelDecision struct {
	PartnerPath
	ApplicationPath
	Body *levelDecisionBody
}

type levelDecisionBody struct {
	Reason string `json:"reason,omitempty" maxLength:"1000" doc:"Why: required to reject, an optional note to approve"`
}

func (in *LevelDecision) reason() string {
	if in.Body == nil {
		return ""
	}
	return in.Body.Reason
}

type approveLevelInput struct{ LevelDecision }

type rejectLevelInput struct{ LevelDecision }

// Resolve checks the reason of an approval.
func (in *approveLevelInput) Resolve(huma.Context) []error {
	return ruleErrors(rules.LevelDecisionProblems(true, in.reason()))
}

// Resolve checks the reason of a rejection, which needs one.
func (in *rejectLevelInput) Resolve(huma.Context) []error {
	return ruleErrors(rules.LevelDecisionProblems(false, in.reason()))
}

// approveLevelApplication serves POST .../level-applications/{application_id}/approve.
func (s *Server) approveLevelApplication(ctx context.Context, in *approveLevelInput) (*bodyOf[levelApplicationView], error) {
	return s.decideLevelApplication(ctx, &in.LevelDecision, true)
}

// rejectLevelApplication serves POST .../level-applications/{application_id}/reject.
func (s *Server) rejectLevelApplication(ctx context.Context, in *rejectLevelInput) (*bodyOf[levelApplicationView], error) {
	return s.decideLevelApplication(ctx, &in.LevelDecision, false)
}

// decideLevelApplication records ops' decision on a submitted application;
// approved, the partner takes the level.
func (s *Server) decideLevelApplication(ctx context.Context, in *LevelDecision, approve bool) (*bodyOf[levelApplicationView], error) {
	a, err := s.store.DecideLevelApplication(ctx, in.PartnerID, in.ApplicationID, approve, strings.TrimSpace(in.reason()), principalOf(ctx))
	return one("level application "+in.ApplicationID, a, err, viewLevelApplication)
}

type submitLevelInput struct {
	PartnerPath
	Body struct {
		Level partnerLevel `json:"level"`
	}
}

// Resolve checks the level by the rules.
func (in *submitLevelInput) Resolve(huma.Context) []error {
	return ruleErrors(rules.LevelApplicationInput{Level: rules.PartnerLevel(in.Body.Level)}.Validate())
}

type submittedApplicationOutput struct {
	Location string `header:"Location" doc:"The application's URL"`
	Body     levelApplicationView
}

// submitLevelApplication serves POST /v1/partners/{id}/level-applications:
// a solution provider's admin applies for another level. Ops review it.
func (s *Server) submitLevelApplication(ctx context.Context, in *submitLevelInput) (*submittedApplicationOutput, error) {
	level := rules.PartnerLevel(in.Body.Level)
	year := rules.BusinessYear(time.Now(), s.location)
	app, err := s.store.SubmitLevelApplication(ctx, in.PartnerID, string(level), year, principalOf(ctx),
		func(st rules.LevelApplicationState) error {
			if r := rules.LevelApplicationRefusal(st, level); r != nil {
				return refusalProblem(r)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return &submittedApplicationOutput{Location: "/v1/partners/" + in.PartnerID + "/level-applications/" + app.ID, Body: viewLevelApplication(app)}, nil
}

type levelApplicationsOutput struct {
	Body struct {
		LevelApplications []levelApplicationView `json:"level_applications"`
		NextPage
	}
}

// listLevelApplications serves GET /v1/partners/{id}/level-applications, newest first.
func (s *Server) listLevelApplications(ctx context.Context, in *partnerPageInput) (*levelApplicationsOutput, error) {
	apps, next, err := s.store.LevelApplications(ctx, in.PartnerID, in.page())
	if err != nil {
		return nil, err
	}
	out := &levelApplicationsOutput{}
	out.Body.LevelApplications, out.Body.NextCursor = viewsOf(apps, viewLevelApplication), next
	return out, nil
}

type levelApplicationInput struct {
	PartnerPath
	ApplicationPath
}

// getLevelApplication serves GET /v1/partners/{id}/level-applications/{application_id}.
func (s *Server) getLevelApplication(ctx context.Context, in *levelApplicationInput) (*bodyOf[levelApplicationView], error) {
	app, err := s.store.LevelApplication(ctx, in.PartnerID, in.ApplicationID)
	return one("level application "+in.ApplicationID, app, err, viewLevelApplication)
}
