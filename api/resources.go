package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"go.temporal.io/api/serviceerror"

	"partnerops/rules"
	"partnerops/store"
	"partnerops/worker"
)

// Resource is a customer's yearly/monthly resource as the API shows it.
type Resource struct {
	ID           string             `json:"id"`
	CustomerID   string             `json:"customer_id"`
	Type         string             `json:"type" enum:"ecs,evs,eip,bandwidth_shared,bandwidth_dedicated"`
	Region       string             `json:"region"`
	Primary      bool               `json:"primary" doc:"A group's primary resource: renewal takes its ID only"`
	PrimaryID    string             `json:"primary_id,omitempty" doc:"A secondary's primary resource"`
	Status       string             `json:"status" enum:"in_use,expired,frozen,closed"`
	Billing      string             `json:"billing" enum:"period,on_demand" doc:"period: yearly/monthly; on_demand once its expiry policy switched it"`
	ExpiresAt    time.Time          `json:"expires_at"`
	ExpiryPolicy string             `json:"expiry_policy" enum:"grace_period,freeze,switch_to_on_demand,delete"`
	MonthlyPrice rules.Money        `json:"monthly_price" doc:"The price of one month; a year costs twelve"`
	OrderID      string             `json:"order_id,omitempty" doc:"The order it is part of; while that order is unpaid it cannot be renewed"`
	AutoRenewal  *rules.AutoRenewal `json:"auto_renewal,omitempty" doc:"Its group's auto-renewal; absent when off"`
	// RenewalFailure is why the last auto-renewal attempt of its group
	// did not renew it (the payer was short of funds).
	RenewalFailure *RenewalFailure `json:"renewal_failure,omitempty" doc:"Why the group's last auto-renewal attempt did not renew it; the next day's run tries again until the last day the group is retained after its expiry"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// RenewalFailure is an auto-renewal attempt that did not renew a group.
type RenewalFailure struct {
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

func resourceOf(r store.Resource) Resource {
	v := Resource{
		ID: r.ID, CustomerID: r.CustomerID, Type: r.Type, Region: r.Region, Primary: !r.PrimaryID.Valid,
		PrimaryID: r.PrimaryID.String, Status: r.Status, Billing: r.Billing, ExpiresAt: r.ExpiresAt,
		ExpiryPolicy: r.ExpiryPolicy, MonthlyPrice: rules.Money{Amount: r.MonthlyPrice, Currency: r.Currency},
		OrderID: r.OrderID.String, AutoRenewal: r.AutoRenewal(), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.RenewalError.Valid {
		v.RenewalFailure = &RenewalFailure{Reason: r.RenewalError.String, At: r.RenewalErrorAt.Time}
	}
	return v
}

// Renewal is one renewal of a group for one term.
type Renewal struct {
	ID         string      `json:"id"`
	PrimaryID  string      `json:"primary_id"`
	CustomerID string      `json:"customer_id"`
	Term       time.Time   `json:"term_expires_at" doc:"The expiry the renewal extended: the term it renewed"`
	NewExpiry  time.Time   `json:"new_expires_at" doc:"The primary's expiry after it"`
	Period     int         `json:"period"`
	PeriodUnit string      `json:"period_unit" enum:"month,year"`
	Charge     rules.Money `json:"charge" doc:"Taken from the customer's account (for a resale customer, the money its partner allocated)"`
	PostingID  string      `json:"posting_id" doc:"The ledger posting of the charge"`
	RunID      string      `json:"run_id,omitempty" doc:"The renewal run (case) that made it; absent when renewed by hand"`
	Resources  []string    `json:"resources,omitempty" doc:"The group's resources it extended"`
	RenewedAt  time.Time   `json:"renewed_at"`
}

func renewalOf(r store.Renewal) Renewal {
	return Renewal{
		ID: r.ID, PrimaryID: r.PrimaryID, CustomerID: r.CustomerID, Term: r.Term, NewExpiry: r.NewExpiry,
		Period: r.Period, PeriodUnit: r.PeriodUnit, Charge: r.Charge(), PostingID: r.PostingID, RunID: r.RunID.String,
		Resources: r.Resources, RenewedAt: r.RenewedAt,
	}
}

type resourceType string

func (resourceType) Schema(huma.Registry) *huma.Schema {
	return enumSchema(rules.ResourceTypes(), "")
}

type resourceStatus string

func (resourceStatus) Schema(huma.Registry) *huma.Schema {
	return enumSchema(rules.ResourceStatuses(), "")
}

type listResourcesInput struct {
	CustomerPath
	Type           resourceType   `query:"type" doc:"Only resources of this type"`
	Status         resourceStatus `query:"status" doc:"Only resources in this status"`
	ExpiringBefore time.Time      `query:"expiring_before" doc:"Only resources expiring before this instant (RFC 3339)"`
	PageParams
}

type resourcesOutput struct {
	Body struct {
		Resources []Resource `json:"resources" doc:"Soonest expiry first"`
		NextPage
	}
}

// ResourcePath names one of a customer's resources.
type ResourcePath struct {
	CustomerPath
	ResourceID string `path:"resource_id" maxLength:"64" doc:"The resource's ID"`
}

type recordResourceInput struct {
	CustomerPath
	Body rules.NewResource
}

// Resolve checks the resource by the rules.
func (in *recordResourceInput) Resolve(huma.Context) []error {
	return ruleErrors(in.Body.Validate())
}

type resourceCreatedOutput struct {
	Location string `header:"Location" doc:"/v1/customers/{customer_id}/resources/{resource_id}"`
	Body     Resource
}

type setAutoRenewalInput struct {
	ResourcePath
	Body rules.AutoRenewal
}

// Resolve checks the setting by the rules.
func (in *setAutoRenewalInput) Resolve(huma.Context) []error {
	return ruleErrors(in.Body.Validate())
}

type groupOutput struct {
	Body struct {
		Resources []Resource `json:"resources" doc:"The group: its primary first, then its secondaries"`
	}
}

type renewInput struct {
	ResourcePath
	Body renewBody
}

// renewBody is a renewal by hand: the period, and optionally the term the
// caller saw, which makes a retried request safe.
type renewBody struct {
	rules.RenewalPeriod
	TermExpiresAt *time.Time `json:"term_expires_at,omitempty" doc:"The primary's expiry the caller saw: the group is renewed only while it still expires then (409 term-renewed after), so a retry never renews a second term"`
}

// Resolve checks the period by the rules.
func (in *renewInput) Resolve(huma.Context) []error {
	return ruleErrors(in.Body.Validate())
}

type renewalOutput struct {
	Body Renewal
}

// RenewalTrigger is the answer to a renewal run asked for now.
type RenewalTrigger struct {
	ScheduleID  string    `json:"schedule_id" doc:"The schedule that starts the run; the run shows in the case list as a renewal_run case"`
	TriggeredAt time.Time `json:"triggered_at"`
}

func (s *Server) resourceRoutes() {
	const tag = "resources"
	register(s, huma.Operation{
		OperationID: "listResources", Method: http.MethodGet, Path: "/v1/customers/{customer_id}/resources", Tags: []string{tag},
		Summary: "The customer's yearly/monthly resources",
		Description: "Soonest expiry first; type, status and expiring_before narrow them. The customer itself, the members of its " +
			"partner and staff; anyone else 404. A secondary shows its group's auto-renewal.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, readCustomer, s.listResources)
	register(s, huma.Operation{
		OperationID: "getResource", Method: http.MethodGet, Path: "/v1/customers/{customer_id}/resources/{resource_id}", Tags: []string{tag},
		Summary: "A resource", Description: "One of the customer's resources; as the list, for the same callers.",
	}, readCustomer, s.getResource)
	register(s, huma.Operation{
		OperationID: "recordResource", Method: http.MethodPost, Path: "/v1/customers/{customer_id}/resources", Tags: []string{tag},
		Summary: "Record a customer's resource (staff)",
		Description: "What billing knows of a resource; a real deployment syncs these from billing through the same boundary. " +
			"A secondary names its primary: a disk (evs) a cloud server (ecs), an elastic IP (eip) a shared bandwidth, a dedicated " +
			"bandwidth an elastic IP that is itself a primary; all of one customer and currency (422 naming primary_id otherwise). " +
			"An ID recorded before: 409.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, staffRecordsResources, s.recordResource)
	register(s, huma.Operation{
		OperationID: "setAutoRenewal", Method: http.MethodPut, Path: "/v1/customers/{customer_id}/resources/{resource_id}/auto_renewal", Tags: []string{tag},
		Summary: "Set the auto-renewal of a resource's group",
		Description: "A period of months (1-11) or years (1-3) and a count (0-99, 0 unlimited). It applies to the whole group: " +
			"setting a primary sets its secondaries, setting a secondary sets its primary's group. The daily run renews a group " +
			"from 7 days before its primary's expiry, retrying daily while the payer is short of funds. The customer and its " +
			"partner's members; staff 403.",
		Errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, actForCustomer, s.setAutoRenewal)
	register(s, huma.Operation{
		OperationID: "cancelAutoRenewal", Method: http.MethodDelete, Path: "/v1/customers/{customer_id}/resources/{resource_id}/auto_renewal", Tags: []string{tag},
		Summary:     "Cancel the auto-renewal of a resource's group",
		Description: "For the whole group, as setting it. The customer and its partner's members; staff 403.",
	}, actForCustomer, s.cancelAutoRenewal)
	register(s, huma.Operation{
		OperationID: "renewResource", Method: http.MethodPost, Path: "/v1/customers/{customer_id}/resources/{resource_id}/renewals", Tags: []string{tag},
		Summary: "Renew a group now",
		Description: "Takes a primary resource's ID only (a secondary's: 409 not-a-primary-resource). Charges the customer's account " +
			"(a resale customer's: the money its partner allocated) once for the group's current term and extends every resource " +
			"of the group by the period. A group with a resource inside an unpaid order: 409; short of funds: 409 insufficient-balance. " +
			"The customer and its partner's members; staff 403.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, actForCustomer, s.renewResource)
	register(s, huma.Operation{
		OperationID: "triggerRenewalRun", Method: http.MethodPost, Path: "/v1/renewal-runs", Tags: []string{tag},
		Summary: "Run the renewal sweep now (staff)",
		Description: "Triggers the daily renewal schedule at once (skipped while a run is going). The run is a renewal_run case: " +
			"list them with GET /v1/cases?kind=renewal_run.",
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusServiceUnavailable},
	}, staffTriggersRenewals, s.triggerRenewalRun)
}

// listResources serves GET /v1/customers/{id}/resources.
func (s *Server) listResources(ctx context.Context, in *listResourcesInput) (*resourcesOutput, error) {
	cust, err := s.customerFor(ctx, readCustomer, in.CustomerID)
	if err != nil {
		return nil, err
	}
	f := store.ResourceFilter{Type: string(in.Type), Status: string(in.Status)}
	if !in.ExpiringBefore.IsZero() {
		f.ExpiringBefore = &in.ExpiringBefore
	}
	list, next, err := s.store.CustomerResources(ctx, cust.ID, f, in.page())
	if err != nil {
		return nil, err
	}
	out := &resourcesOutput{}
	out.Body.Resources, out.Body.NextCursor = viewsOf(list, resourceOf), next
	return out, nil
}

// getResource serves GET /v1/customers/{id}/resources/{resource_id}.
func (s *Server) getResource(ctx context.Context, in *ResourcePath) (*bodyOf[Resource], error) {
	return customerRecord(ctx, s, in.CustomerID, "resource", in.ResourceID, s.store.CustomerResource, resourceOf)
}

// recordResource serves POST /v1/customers/{id}/resources (staff).
func (s *Server) recordResource(ctx context.Context, in *recordResourceInput) (*resourceCreatedOutput, error) {
	cust, err := s.customerFor(ctx, staffRecordsResources, in.CustomerID)
	if err != nil {
		return nil, err
	}
	var source store.ResourceSource = s.store
	r, err := source.PutResource(ctx, cust.ID, in.Body)
	if err != nil {
		return nil, err
	}
	return &resourceCreatedOutput{Location: "/v1/customers/" + cust.ID + "/resources/" + r.ID, Body: resourceOf(r)}, nil
}

// setAutoRenewal serves PUT …/resources/{resource_id}/auto_renewal.
func (s *Server) setAutoRenewal(ctx context.Context, in *setAutoRenewalInput) (*groupOutput, error) {
	return s.autoRenewal(ctx, &in.ResourcePath, &in.Body)
}

// cancelAutoRenewal serves DELETE …/resources/{resource_id}/auto_renewal.
func (s *Server) cancelAutoRenewal(ctx context.Context, in *ResourcePath) (*groupOutput, error) {
	return s.autoRenewal(ctx, in, nil)
}

func (s *Server) autoRenewal(ctx context.Context, in *ResourcePath, a *rules.AutoRenewal) (*groupOutput, error) {
	cust, err := s.customerFor(ctx, actForCustomer, in.CustomerID)
	if err != nil {
		return nil, err
	}
	group, err := s.store.SetAutoRenewal(ctx, cust.ID, in.ResourceID, a)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("resource " + in.ResourceID)
	}
	if err != nil {
		return nil, err
	}
	out := &groupOutput{}
	out.Body.Resources = viewsOf(group, resourceOf)
	return out, nil
}

// renewResource serves POST …/resources/{resource_id}/renewals.
func (s *Server) renewResource(ctx context.Context, in *renewInput) (*renewalOutput, error) {
	cust, err := s.customerFor(ctx, actForCustomer, in.CustomerID)
	if err != nil {
		return nil, err
	}
	p := principalOf(ctx)
	req := store.RenewalRequest{
		PrimaryID: in.ResourceID, CustomerID: cust.ID, Period: in.Body.RenewalPeriod, ActorID: p.ID, ActorRole: p.Role,
		Location: s.location, RenewedAt: time.Now().UTC().Truncate(time.Microsecond),
	}
	if in.Body.TermExpiresAt != nil {
		req.Term = *in.Body.TermExpiresAt
	}
	r, err := s.store.RenewGroup(ctx, req)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound("resource " + in.ResourceID)
	case errors.Is(err, store.ErrNotPrimary):
		return nil, conflict("not-a-primary-resource", "not a primary resource: "+in.ResourceID+" is a secondary; renew its group by its primary's ID")
	case err != nil:
		return nil, err
	}
	return &renewalOutput{Body: renewalOf(r)}, nil
}

// triggerRenewalRun serves POST /v1/renewal-runs (staff).
func (s *Server) triggerRenewalRun(ctx context.Context, _ *struct{}) (*bodyOf[RenewalTrigger], error) {
	at := time.Now().UTC()
	err := worker.TriggerRenewals(ctx, s.temporal)
	var missing *serviceerror.NotFound
	switch {
	case errors.As(err, &missing):
		// no worker has started yet to create the schedule: it will
		return nil, unavailable("renewal-schedule-missing", actionRetryAfter,
			"the renewal schedule does not exist yet: a worker creates it when it starts; retry once one runs")
	case err != nil:
		return nil, err
	}
	return &bodyOf[RenewalTrigger]{Body: RenewalTrigger{ScheduleID: worker.RenewalScheduleID, TriggeredAt: at}}, nil
}
