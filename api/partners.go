package api

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

func (s *Server) partnerRoutes(v1 fiber.Router) {
	v1.Post("/partners", requireRole(cases.StaffRoles...), s.registerPartner)
	v1.Get("/partners/:partner_id", s.getPartner)
	v1.Get("/partners/:partner_id/settings", s.getPartnerSettings)
	v1.Patch("/partners/:partner_id/settings", s.updatePartnerSettings)
	v1.Post("/partners/:partner_id/level-applications/:application_id/approve", requireRole(cases.StaffRoles...), s.decideLevelApplication(true))
	v1.Post("/partners/:partner_id/level-applications/:application_id/reject", requireRole(cases.StaffRoles...), s.decideLevelApplication(false))
	v1.Post("/partners/:partner_id/business-plans", s.fileBusinessPlan)
	v1.Get("/partners/:partner_id/business-plans", s.listBusinessPlans)
	v1.Get("/partners/:partner_id/business-plans/:plan_id", s.getBusinessPlan)
	v1.Post("/partners/:partner_id/level-applications", s.submitLevelApplication)
	v1.Get("/partners/:partner_id/level-applications", s.listLevelApplications)
	v1.Get("/partners/:partner_id/level-applications/:application_id", s.getLevelApplication)
}

// partnerView is a partner as the API shows it.
type partnerView struct {
	ID        string              `json:"id"`
	Name      string              `json:"name"`
	Type      string              `json:"type"`
	Level     *string             `json:"level"` // null for the types without levels
	Settings  partnerSettingsView `json:"settings"`
	CreatedAt time.Time           `json:"created_at"`
	CreatedBy *cases.Actor        `json:"created_by,omitempty"` // who registered it, when it was registered through the API
}

// partnerSettingsView is the partner's own switches, and who last changed them.
type partnerSettingsView struct {
	AutoIncentiveApplication bool         `json:"auto_incentive_application"`
	UpdatedAt                *time.Time   `json:"updated_at,omitempty"`
	UpdatedBy                *cases.Actor `json:"updated_by,omitempty"`
}

func viewPartner(p store.Partner) partnerView {
	v := partnerView{ID: p.ID, Name: p.Name, Type: p.Type, Settings: viewSettings(p), CreatedAt: p.CreatedAt.UTC()}
	if p.Level.Valid {
		v.Level = &p.Level.String
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

// readablePartner reads the partner in the path for those who may see it:
// staff any partner, partner members their own. Anyone else, and an
// account associated with no partner, gets 404.
func (s *Server) readablePartner(c *fiber.Ctx) (store.Partner, error) {
	p, id := principal(c), c.Params("partner_id")
	own := p.IsPartnerMember() && p.PartnerID.Valid && p.PartnerID.String == id
	if !p.IsStaff() && !own {
		return store.Partner{}, notFound("partner " + id)
	}
	partner, err := s.store.Partner(c.UserContext(), id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Partner{}, notFound("partner " + id)
	}
	return partner, err
}

// adminScope checks that the caller is the company (admin) account of the
// partner in the path: another partner's accounts get 404, the partner's
// personal accounts and everyone else 403.
func adminScope(c *fiber.Ctx, doing string) (store.Principal, string, error) {
	p, partnerID, err := partnerScope(c)
	if err != nil {
		return p, "", err
	}
	if p.Role != cases.RoleAdmin {
		return p, "", forbidden("only the partner's company (admin) account may " + doing)
	}
	return p, partnerID, nil
}

// refusalProblem is the answer to a step the partner rules refuse: 422
// naming the field when the input names what it may not, else 409.
func refusalProblem(r *rules.PartnerRefusal) error {
	if r.Field != "" {
		return invalid(rules.FieldErrors{{Field: r.Field, Message: r.Message}})
	}
	return conflict(r.Code, r.Message)
}

// registeredPartner answers POST /v1/partners: the partner and its
// company (admin) account, whose token is shown this once.
type registeredPartner struct {
	Partner partnerView  `json:"partner"`
	Admin   adminAccount `json:"admin"`
}

type adminAccount struct {
	PrincipalID string `json:"principal_id"`
	Name        string `json:"name"`
	Token       string `json:"token"`
}

// registerPartner serves POST /v1/partners: staff register a partner and
// with it its company (admin) account.
func (s *Server) registerPartner(c *fiber.Ctx) error {
	var in rules.NewPartner
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	if problems := in.Validate(); len(problems) > 0 {
		return invalid(problems)
	}
	in = in.Normalized()
	reg, err := s.store.RegisterPartner(c.UserContext(), in, in.Name+" admin", principal(c))
	if err != nil {
		return err
	}
	c.Location("/v1/partners/" + reg.Partner.ID)
	return c.Status(fiber.StatusCreated).JSON(registeredPartner{
		Partner: viewPartner(reg.Partner),
		Admin:   adminAccount{PrincipalID: reg.Admin.ID, Name: reg.Admin.Name, Token: reg.AdminToken},
	})
}

// getPartner serves GET /v1/partners/{id}.
func (s *Server) getPartner(c *fiber.Ctx) error {
	partner, err := s.readablePartner(c)
	if err != nil {
		return err
	}
	return c.JSON(viewPartner(partner))
}

// getPartnerSettings serves GET /v1/partners/{id}/settings.
func (s *Server) getPartnerSettings(c *fiber.Ctx) error {
	partner, err := s.readablePartner(c)
	if err != nil {
		return err
	}
	return c.JSON(viewSettings(partner))
}

// settingsInput is the body of PATCH /v1/partners/{id}/settings.
type settingsInput struct {
	AutoIncentiveApplication *bool `json:"auto_incentive_application"`
}

// updatePartnerSettings serves PATCH /v1/partners/{id}/settings: the
// partner's admin switches its own settings (staff may not: 403).
func (s *Server) updatePartnerSettings(c *fiber.Ctx) error {
	p, partnerID, err := adminScope(c, "change the partner's settings")
	if err != nil {
		return err
	}
	var in settingsInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	if in.AutoIncentiveApplication == nil {
		return invalid(rules.FieldErrors{{Field: "auto_incentive_application", Message: "is required: true or false"}})
	}
	partner, err := s.store.UpdatePartnerSettings(c.UserContext(), partnerID, *in.AutoIncentiveApplication, p)
	if err != nil {
		return err
	}
	return c.JSON(viewSettings(partner))
}

// businessPlanView is a signed business plan as the API shows it.
type businessPlanView struct {
	ID            string              `json:"id"`
	PartnerID     string              `json:"partner_id"`
	Year          int                 `json:"year"`
	RevenueTarget rules.RevenueTarget `json:"revenue_target"`
	SignedBy      string              `json:"signed_by"`
	SignedAt      time.Time           `json:"signed_at"`
	DocumentURL   string              `json:"document_url"`
	CreatedBy     cases.Actor         `json:"created_by"`
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

// fileBusinessPlan serves POST /v1/partners/{id}/business-plans: the
// partner's admin files a signed market-expansion business plan.
func (s *Server) fileBusinessPlan(c *fiber.Ctx) error {
	p, partnerID, err := adminScope(c, "file a business plan")
	if err != nil {
		return err
	}
	var in rules.BusinessPlanInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	plan, problems := in.Validate(time.Now(), s.location)
	if len(problems) > 0 {
		return invalid(problems)
	}
	idem, err := idempotency(c)
	if err != nil {
		return err
	}
	filed, _, err := s.store.FileBusinessPlan(c.UserContext(), partnerID, plan, p, idem)
	if errors.Is(err, store.ErrNotFound) {
		return conflict("idempotency-key-reused", "this Idempotency-Key was already used with another request")
	}
	if err != nil {
		return err
	}
	c.Location("/v1/partners/" + partnerID + "/business-plans/" + filed.ID)
	return c.Status(fiber.StatusCreated).JSON(viewBusinessPlan(filed))
}

// listBusinessPlans serves GET /v1/partners/{id}/business-plans, newest first.
func (s *Server) listBusinessPlans(c *fiber.Ctx) error {
	partner, err := s.readablePartner(c)
	if err != nil {
		return err
	}
	plans, next, err := pageOfOne(c, partner.ID, s.store.BusinessPlans)
	return answerList(c, "business_plans", plans, next, err, viewBusinessPlan)
}

// getBusinessPlan serves GET /v1/partners/{id}/business-plans/{plan_id}.
func (s *Server) getBusinessPlan(c *fiber.Ctx) error {
	partner, err := s.readablePartner(c)
	if err != nil {
		return err
	}
	id := c.Params("plan_id")
	plan, err := s.store.BusinessPlan(c.UserContext(), partner.ID, id)
	return answerOne(c, "business plan "+id, plan, err, viewBusinessPlan)
}

// levelApplicationView is a level application as the API shows it.
type levelApplicationView struct {
	ID             string       `json:"id"`
	PartnerID      string       `json:"partner_id"`
	Level          string       `json:"level"`
	Status         string       `json:"status"`
	BusinessPlanID *string      `json:"business_plan_id"`
	SubmittedBy    cases.Actor  `json:"submitted_by"`
	CreatedAt      time.Time    `json:"created_at"`
	DecidedBy      *cases.Actor `json:"decided_by,omitempty"`
	DecidedAt      *time.Time   `json:"decided_at,omitempty"`
	DecisionReason string       `json:"decision_reason,omitempty"`
}

func viewLevelApplication(a store.LevelApplication) levelApplicationView {
	v := levelApplicationView{
		ID: a.ID, PartnerID: a.PartnerID, Level: a.Level, Status: a.Status,
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

// decideLevelApplication serves POST /v1/partners/{id}/level-applications/
// {application_id}/approve and .../reject (with a reason): ops decide a
// submitted application; approved, the partner takes the level.
func (s *Server) decideLevelApplication(approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in struct {
			Reason string `json:"reason"`
		}
		if len(c.Body()) > 0 {
			if err := decodeBody(c, &in); err != nil {
				return err
			}
		}
		if problems := rules.LevelDecisionProblems(approve, in.Reason); len(problems) > 0 {
			return invalid(problems)
		}
		in.Reason = strings.TrimSpace(in.Reason)
		id := c.Params("application_id")
		a, err := s.store.DecideLevelApplication(c.UserContext(), c.Params("partner_id"), id, approve, in.Reason, principal(c))
		switch {
		case errors.Is(err, store.ErrNotFound):
			return notFound("level application " + id)
		case errors.Is(err, store.ErrApplicationDecided):
			return conflict("already-decided", "the level application was already decided")
		case err != nil:
			return err
		}
		return c.JSON(viewLevelApplication(a))
	}
}

// submitLevelApplication serves POST /v1/partners/{id}/level-applications:
// a solution provider's admin applies for another level. Ops review it.
func (s *Server) submitLevelApplication(c *fiber.Ctx) error {
	p, partnerID, err := adminScope(c, "apply for a level")
	if err != nil {
		return err
	}
	var in rules.LevelApplicationInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	if problems := in.Validate(); len(problems) > 0 {
		return invalid(problems)
	}
	year := rules.BusinessYear(time.Now(), s.location)
	app, err := s.store.SubmitLevelApplication(c.UserContext(), partnerID, string(in.Level), year, p,
		func(st rules.LevelApplicationState) error {
			if r := rules.LevelApplicationRefusal(st, in.Level); r != nil {
				return refusalProblem(r)
			}
			return nil
		})
	if err != nil {
		return err
	}
	c.Location("/v1/partners/" + partnerID + "/level-applications/" + app.ID)
	return c.Status(fiber.StatusCreated).JSON(viewLevelApplication(app))
}

// listLevelApplications serves GET /v1/partners/{id}/level-applications, newest first.
func (s *Server) listLevelApplications(c *fiber.Ctx) error {
	partner, err := s.readablePartner(c)
	if err != nil {
		return err
	}
	apps, next, err := pageOfOne(c, partner.ID, s.store.LevelApplications)
	return answerList(c, "level_applications", apps, next, err, viewLevelApplication)
}

// getLevelApplication serves GET /v1/partners/{id}/level-applications/{application_id}.
func (s *Server) getLevelApplication(c *fiber.Ctx) error {
	partner, err := s.readablePartner(c)
	if err != nil {
		return err
	}
	id := c.Params("application_id")
	app, err := s.store.LevelApplication(c.UserContext(), partner.ID, id)
	return answerOne(c, "level application "+id, app, err, viewLevelApplication)
}
