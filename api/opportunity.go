package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/workflows"
)

// Opportunities: a partner registers its own (PO), which the validity
// rules check and ops review; ops record the vendor's own (HO) and share
// each with one partner at a time, as an invitation case the partner
// answers by its expiry. Every step after the start is an action on the
// case (POST /v1/cases/{case_id}/actions/{action}).

// Policies of the vendor opportunities: ops' and supervisors' alone.
var (
	staffReadsVendorOpportunities  = policy{Verb: read, Roles: cases.StaffRoles}
	staffSharesVendorOpportunities = policy{Verb: act, Roles: cases.StaffRoles}
)

// MaxInvitationExpiryMinutes bounds a share's own expiry: 30 days.
const MaxInvitationExpiryMinutes = 30 * 24 * 60

func (s *Server) opportunityRoutes() {
	tags := []string{"opportunities"}
	register(s, huma.Operation{
		OperationID: "registerOpportunity", Method: http.MethodPost, Path: "/v1/partners/{partner_id}/opportunities", Tags: tags,
		Summary: "Register a partner-originated opportunity",
		Description: "Starts an opportunity case (202, Location: the case) in checking. A malformed field (a date that is no " +
			"YYYY-MM-DD, an unknown enum value, text too long, no product) is a 422 naming every bad field, and nothing is written. " +
			"A well-formed opportunity is then checked by the validity rules: every failed rule is named at once in details.findings " +
			"with its reason code (no_customer_contact, no_budget_or_timeline, no_incremental_revenue, vague_description) and the " +
			"case is action_required, for the partner to edit and resubmit (the resubmit action, with the whole opportunity); one " +
			"that passes is in_review under the review SLA. The partner's admin and members.",
		DefaultStatus: http.StatusAccepted,
		Responses:     anyCaseResponse(http.StatusAccepted),
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
	}, partnerStarts, s.registerOpportunity)
	register(s, huma.Operation{
		OperationID: "listPartnerOpportunities", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/opportunities", Tags: tags,
		Summary: "A partner's opportunities and invitations",
		Description: "The partner's opportunity cases, newest first: those it registered and the vendor's it was invited to " +
			"(status invited: waiting for its answer). A partner sees only the invitations sent to it. The partner's members and staff; " +
			"ops see every opportunity in GET /v1/cases?kind=opportunity.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, readPartner, s.listPartnerOpportunities)
	register(s, huma.Operation{
		OperationID: "createVendorOpportunity", Method: http.MethodPost, Path: "/v1/vendor-opportunities", Tags: tags,
		Summary: "Record a vendor-originated opportunity",
		Description: "Ops record an opportunity the vendor found, to share with a partner. It must be well-formed and pass the " +
			"validity rules (each finding is a 422 field, as reason: message). Answers 201; with an Idempotency-Key a retry answers the first.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, staffSharesVendorOpportunities, s.createVendorOpportunity)
	register(s, huma.Operation{
		OperationID: "listVendorOpportunities", Method: http.MethodGet, Path: "/v1/vendor-opportunities", Tags: tags,
		Summary:     "The vendor's opportunities",
		Description: "Newest first; status available: ops may share it; shared: a partner's invitation runs (case_id); accepted: a partner took it.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, staffReadsVendorOpportunities, s.listVendorOpportunities)
	register(s, huma.Operation{
		OperationID: "getVendorOpportunity", Method: http.MethodGet, Path: "/v1/vendor-opportunities/{vendor_opportunity_id}", Tags: tags,
		Summary: "One vendor opportunity", Description: "Ops and supervisors.",
		Errors: []int{http.StatusNotFound},
	}, staffReadsVendorOpportunities, s.getVendorOpportunity)
	register(s, huma.Operation{
		OperationID: "shareVendorOpportunity", Method: http.MethodPost, Path: "/v1/vendor-opportunities/{vendor_opportunity_id}/share", Tags: tags,
		Summary: "Invite a partner to a vendor opportunity",
		Description: "Starts an opportunity case of origin vendor for the partner (202, Location: the case), status invited until " +
			"details.invitation_expires_at (expires_in_minutes, or PARTNEROPS_INVITATION_EXPIRY: by default the end of the third working day). " +
			"The partner must sell (solution_provider or cloud_reseller; another type: 422 on partner_id) and be certified " +
			"(409 `urn:partnerops:problem:certification-required`). The partner sees a summary without " +
			"the customer's contact; it accepts (its approved opportunity, contact shown) or declines with a reason. Declined or " +
			"expired, the vendor opportunity is available again. One that is shared or accepted already: 409.",
		DefaultStatus: http.StatusAccepted,
		Responses:     anyCaseResponse(http.StatusAccepted),
		Errors:        []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
	}, staffSharesVendorOpportunities, s.shareVendorOpportunity)
}

type registerOpportunityInput struct {
	PartnerPath
	Idempotent
	Body rules.Opportunity
}

// Resolve names every malformed field at once, beside the schema's own refusals.
func (in *registerOpportunityInput) Resolve(huma.Context) []error {
	return ruleErrors(in.Body.Validate())
}

// registerOpportunity serves POST /v1/partners/{id}/opportunities.
func (s *Server) registerOpportunity(ctx context.Context, in *registerOpportunityInput) (*startedOutput, error) {
	p := principalOf(ctx)
	partnerID := in.PartnerID
	start := func(caseID string, createdAt time.Time) workflows.OpportunityInput {
		return workflows.OpportunityInput{
			CaseID: caseID, PartnerID: partnerID, Origin: workflows.OriginPartner, Submitter: actor(p),
			Opportunity: in.Body.Normalized(), ReviewSLA: s.opportunitySLA, FixWindow: s.opportunityFix, CreatedAt: createdAt,
		}
	}
	return s.startCase(ctx, in.Idempotent, caseStart{
		kind: cases.KindOpportunity, partnerID: partnerID,
		initialStatus: workflows.OpportunityChecking,
		details:       start("", time.Time{}).Details(),
		workflow:      workflows.OpportunityWorkflow,
		input:         func(caseID string, createdAt time.Time) any { return start(caseID, createdAt) },
	})
}

type listPartnerOpportunitiesInput struct {
	PartnerPath
	Status opportunityStatus `query:"status" doc:"Only opportunities in this status (invited: the invitations waiting for an answer)"`
	Stage  opportunityStage  `query:"stage" doc:"Only opportunities at this stage"`
	PageParams
}

// opportunityStatus and opportunityStage are an opportunity's status and
// stage in a query: one of the workflow's.
type (
	opportunityStatus string
	opportunityStage  string
)

func (opportunityStatus) Schema(huma.Registry) *huma.Schema {
	return enumSchema(workflows.Declared().Statuses(cases.KindOpportunity), "")
}

func (opportunityStage) Schema(huma.Registry) *huma.Schema {
	return enumSchema(workflows.OpportunityStages(), "")
}

type opportunityList struct {
	Opportunities []cases.Case `json:"opportunities"`
	NextPage
}

// listPartnerOpportunities serves GET /v1/partners/{id}/opportunities.
func (s *Server) listPartnerOpportunities(ctx context.Context, in *listPartnerOpportunitiesInput) (*bodyOf[opportunityList], error) {
	list, next, err := s.store.PartnerOpportunities(ctx, in.PartnerID, store.OpportunityFilter{Status: string(in.Status), Stage: string(in.Stage)}, in.page())
	if err != nil {
		return nil, err
	}
	role := principalOf(ctx).Role
	for i := range list {
		list[i].Actions = workflows.AllowedActions(list[i].Kind, role, list[i].Status)
	}
	return &bodyOf[opportunityList]{Body: opportunityList{Opportunities: list, NextPage: NextPage{next}}}, nil
}

// vendorOpportunityView is a vendor opportunity as ops see it.
type vendorOpportunityView struct {
	ID          string            `json:"id"`
	Status      string            `json:"status" enum:"available,shared,accepted" doc:"available: ops may share it; shared: a partner's invitation runs; accepted: a partner took it"`
	CaseID      string            `json:"case_id,omitempty" doc:"The invitation that holds it, while shared or once accepted"`
	Opportunity rules.Opportunity `json:"opportunity"`
	CreatedBy   string            `json:"created_by"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

func vendorOpportunityOf(v store.VendorOpportunity) vendorOpportunityView {
	return vendorOpportunityView{ID: v.ID, Status: v.Status, CaseID: v.CaseID.String, Opportunity: v.Opportunity,
		CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
}

type createVendorOpportunityInput struct {
	Idempotent
	Body rules.Opportunity
}

func (in *createVendorOpportunityInput) Resolve(huma.Context) []error {
	return ruleErrors(in.Body.Validate())
}

type vendorOpportunityCreated struct {
	Location string `header:"Location" doc:"The vendor opportunity's URL"`
	Body     vendorOpportunityView
}

// createVendorOpportunity serves POST /v1/vendor-opportunities: a vendor
// opportunity must pass the validity rules the partners' do.
func (s *Server) createVendorOpportunity(ctx context.Context, in *createVendorOpportunityInput) (*vendorOpportunityCreated, error) {
	o := in.Body.Normalized()
	at := time.Now().UTC().Truncate(time.Microsecond)
	if found := o.Check(at.In(s.location)); len(found) > 0 {
		fields := make(rules.FieldErrors, len(found))
		for i, f := range found {
			fields[i] = rules.FieldError{Field: f.Field, Message: f.Reason + ": " + f.Message}
		}
		return nil, invalid(fields)
	}
	v, err := s.store.CreateVendorOpportunity(ctx, store.VendorOpportunity{
		ID: store.NewID("vop"), Opportunity: o, CreatedBy: principalOf(ctx).ID, CreatedAt: at,
	}, in.Idempotent.claim(ctx))
	if err != nil {
		return nil, err
	}
	return &vendorOpportunityCreated{Location: "/v1/vendor-opportunities/" + v.ID, Body: vendorOpportunityOf(v)}, nil
}

type listVendorOpportunitiesInput struct {
	Status string `query:"status" enum:"available,shared,accepted" doc:"Only vendor opportunities in this status"`
	PageParams
}

type vendorOpportunityList struct {
	VendorOpportunities []vendorOpportunityView `json:"vendor_opportunities"`
	NextPage
}

func (s *Server) listVendorOpportunities(ctx context.Context, in *listVendorOpportunitiesInput) (*bodyOf[vendorOpportunityList], error) {
	list, next, err := s.store.VendorOpportunities(ctx, in.Status, in.page())
	if err != nil {
		return nil, err
	}
	return &bodyOf[vendorOpportunityList]{Body: vendorOpportunityList{
		VendorOpportunities: viewsOf(list, vendorOpportunityOf), NextPage: NextPage{next}}}, nil
}

type VendorOpportunityPath struct {
	VendorOpportunityID string `path:"vendor_opportunity_id" maxLength:"64" doc:"The vendor opportunity's ID"`
}

func (s *Server) getVendorOpportunity(ctx context.Context, in *VendorOpportunityPath) (*bodyOf[vendorOpportunityView], error) {
	v, err := s.store.GetVendorOpportunity(ctx, in.VendorOpportunityID)
	return one("vendor opportunity "+in.VendorOpportunityID, v, err, vendorOpportunityOf)
}

type shareVendorOpportunityInput struct {
	VendorOpportunityPath
	Idempotent
	Body struct {
		PartnerID        string `json:"partner_id" maxLength:"64" doc:"The partner invited"`
		ExpiresInMinutes int    `json:"expires_in_minutes,omitempty" minimum:"1" maximum:"43200" doc:"How long the partner has to answer; absent: the configured default (PARTNEROPS_INVITATION_EXPIRY, 3 working days unless set)"`
	}
}

// shareVendorOpportunity serves POST /v1/vendor-opportunities/{id}/share.
func (s *Server) shareVendorOpportunity(ctx context.Context, in *shareVendorOpportunityInput) (*startedOutput, error) {
	v, err := s.store.GetVendorOpportunity(ctx, in.VendorOpportunityID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("vendor opportunity " + in.VendorOpportunityID)
	}
	if err != nil {
		return nil, err
	}
	partner, err := s.store.Partner(ctx, in.Body.PartnerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalid(rules.FieldErrors{{Field: "partner_id", Message: "is not a partner"}})
	} else if err != nil {
		return nil, err
	}
	if t := rules.PartnerType(partner.Type); !t.Sells() {
		return nil, invalid(rules.FieldErrors{{Field: "partner_id", Message: "is a " + string(t) +
			"; vendor opportunities go to partners that sell (" + rules.SellingTypesText() + ")"}})
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	expiresAt, err := s.invitationExpiresAt(ctx, now, in.Body.ExpiresInMinutes)
	if err != nil {
		return nil, err
	}
	id := store.NewID("cas")
	// the partner sees the opportunity without its contact until it accepts
	summary := v.Opportunity
	summary.Contact = nil
	input := workflows.OpportunityInput{
		CaseID: id, PartnerID: in.Body.PartnerID, Origin: workflows.OriginVendor, Submitter: actor(principalOf(ctx)),
		Opportunity: summary, Contact: v.Opportunity.Contact, VendorOpportunityID: v.ID,
		InvitationExpiresAt: expiresAt, ReviewSLA: s.opportunitySLA, FixWindow: s.opportunityFix, CreatedAt: now,
	}
	details, err := json.Marshal(input.Details())
	if err != nil {
		return nil, err
	}
	opened, start, err := s.store.ShareVendorOpportunity(ctx, v.ID, store.NewCase{
		Case: cases.Case{ID: id, Kind: cases.KindOpportunity, PartnerID: input.PartnerID, Status: input.InitialStatus(),
			CreatedAt: now, UpdatedAt: now, Details: details},
		Workflow: workflows.OpportunityWorkflow, Input: input,
	}, in.Idempotent.claim(ctx))
	if errors.Is(err, store.ErrVendorOpportunityHeld) {
		p := conflict("vendor-opportunity-held", "vendor opportunity "+v.ID+" is shared with or accepted by a partner; "+
			"it can be shared again once the invitation is declined or expires")
		p.CaseID = v.CaseID.String
		return nil, p
	}
	if err != nil {
		return nil, err
	}
	return s.runCase(ctx, opened, start)
}

// invitationExpiresAt is when an invitation shared at now lapses: after
// minutes when the share names them, else by the configured policy (the
// end of the third working day on the business calendar by default).
func (s *Server) invitationExpiresAt(ctx context.Context, now time.Time, minutes int) (time.Time, error) {
	if minutes > 0 {
		return now.Add(time.Duration(minutes) * time.Minute), nil
	}
	policy, err := rules.ParseSLAPolicy(s.invitationExpiry)
	if err != nil {
		return time.Time{}, err
	}
	if policy.Duration > 0 {
		return now.Add(policy.Duration), nil
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return cal.EndOfWorkingDays(now, policy.WorkingDays), nil
}
