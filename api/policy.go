package api

import (
	"context"
	"errors"
	"slices"
	"strings"

	"partnerops/cases"
	"partnerops/store"
)

// The access policy: one place decides whether a principal may read, act
// on or administer an object, and how a refusal answers. An object that is
// not the caller's to know about is a 404, as if it did not exist; one the
// caller may see but not touch this way is a 403. Every route declares its
// policy when it is registered (operations.go); the route × role test
// walks them all.

// verb is what a route does to its object.
type verb string

const (
	read       verb = "read"
	act        verb = "act"        // take a step on it: start a process, move a case
	administer verb = "administer" // change how it is set up: the partner's admin or staff
)

// objectKind is the kind of object a route is about.
type objectKind string

const (
	objNone     objectKind = ""         // the caller's own view (lists scoped to the caller)
	objPartner  objectKind = "partner"  // the partner named by the path's partner_id
	objCase     objectKind = "case"     // the case named by the path's case_id, read by the handler
	objCustomer objectKind = "customer" // the customer named by the path's customer_id, read by the handler
	objCalendar objectKind = "calendar" // the business calendar, one for everyone
	// the invitation named by the path's invitation_id, read by the handler
	objInvitation objectKind = "invitation"
	// the money of the partner named by the path's partner_id (its account,
	// deposits, adjustments, ledger, payment requests): its members' and staff's
	objPartnerMoney objectKind = "partner account"
)

// policy is a route's access rule.
type policy struct {
	Public bool       // no token needed
	Verb   verb       // what the route does to its object
	Object objectKind // what it does it to
	// Roles may call the route at all; the others who may know the object
	// get 403. Empty: every role.
	Roles []string
	// AfterExit: the route still acts on a partner that has exited the
	// program (deregistration); every other act or administer is refused.
	AfterExit bool
}

// Policies of the routes, by what they do.
var (
	public        = policy{Public: true}
	readOwn       = policy{Verb: read}
	readCalendar  = policy{Verb: read, Object: objCalendar}
	staffCalendar = policy{Verb: administer, Object: objCalendar, Roles: cases.StaffRoles}
	readCase      = policy{Verb: read, Object: objCase}
	// actOnCase lets whoever sees the case ask for a step; the case's
	// workflow decides by its action table whether this role may take it.
	actOnCase     = policy{Verb: act, Object: objCase}
	partnerStarts = policy{Verb: act, Object: objPartner, Roles: cases.PartnerRoles}
	// staffRegisters: staff register partners.
	staffRegisters = policy{Verb: administer, Roles: cases.StaffRoles}
	// readPartner: staff and the partner's own accounts read its records;
	// customers, who know partners by name, may not (403).
	readPartner = policy{Verb: read, Object: objPartner, Roles: append(slices.Clone(cases.StaffRoles), cases.PartnerRoles...)}
	// partnerAdmin: only the partner's company (admin) account changes how
	// the partner is set up, staff included (403).
	partnerAdmin = policy{Verb: administer, Object: objPartner, Roles: []string{cases.RoleAdmin}}
	// staffDecidesLevels: ops decide a partner's level applications.
	staffDecidesLevels = policy{Verb: administer, Object: objPartner, Roles: cases.StaffRoles}
	// inviteeReads: invitations are addressed to personal accounts.
	inviteeReads = policy{Verb: read, Roles: []string{cases.RoleMember}}
	// inviteeAnswers: only the invitee answers its invitation.
	inviteeAnswers = policy{Verb: act, Object: objInvitation, Roles: []string{cases.RoleMember}}
	readCustomer   = policy{Verb: read, Object: objCustomer}
	// actForCustomer: the customer itself or its partner's members (staff
	// see the customer but do not act for it).
	actForCustomer = policy{Verb: act, Object: objCustomer, Roles: []string{cases.RoleAdmin, cases.RoleMember, cases.RoleCustomer}}
	customerItself = policy{Verb: act, Object: objCustomer, Roles: []string{cases.RoleCustomer}}
	// Money: a partner's books are its members' and staff's to read; staff
	// record deposits and read the ledger, the partner's members adjust
	// its customers' accounts. A customer's account and orders are the
	// customer's, its partner's members' and staff's to read; only the
	// customer places and pays its orders.
	readPartnerMoney = policy{Verb: read, Object: objPartnerMoney}
	staffDeposits    = policy{Verb: act, Object: objPartnerMoney, Roles: cases.StaffRoles}
	staffReadsLedger = policy{Verb: read, Object: objPartnerMoney, Roles: cases.StaffRoles}
	// staffObserves: the metrics, which name routes and volumes, are for
	// staff (a scraper holds an ops token).
	staffObserves     = policy{Verb: read, Roles: cases.StaffRoles}
	partnerAdjusts    = policy{Verb: act, Object: objPartnerMoney, Roles: cases.PartnerRoles}
	readCustomerMoney = policy{Verb: read, Object: objCustomer}
	customerOrders    = policy{Verb: act, Object: objCustomer, Roles: []string{cases.RoleCustomer}}
	// Exit: only the partner's company (admin) account asks to leave, and
	// deregisters the account once the partner has exited.
	partnerExits       = policy{Verb: act, Object: objPartner, Roles: []string{cases.RoleAdmin}}
	partnerDeregisters = policy{Verb: administer, Object: objPartner, Roles: []string{cases.RoleAdmin}, AfterExit: true}
	// Resources: staff record them (billing's boundary); the customer and
	// its partner's members set auto-renewal and renew (actForCustomer);
	// staff run the renewal sweep now.
	staffRecordsResources = policy{Verb: administer, Object: objCustomer, Roles: cases.StaffRoles}
	staffTriggersRenewals = policy{Verb: act, Roles: cases.StaffRoles}
)

// object is what a policy is asked about: its kind and whom it belongs to.
type object struct {
	Kind       objectKind
	ID         string
	PartnerID  string // the partner it belongs to, if any
	CustomerID string // the customer it belongs to, if any
	// PrincipalID is the principal it is addressed to, if any (an invitation).
	PrincipalID string
}

// pathObject is the object the request's path names, as far as the path
// tells; objects read from the store (a case) are decided by the handler.
func (pol policy) pathObject(param func(string) string) object {
	switch pol.Object {
	case objPartner, objPartnerMoney:
		id := param("partner_id")
		return object{Kind: pol.Object, ID: id, PartnerID: id}
	case objCalendar:
		return object{Kind: objCalendar}
	}
	return object{}
}

// decide is nil when p may do the policy's verb to obj, else the refusal.
func (pol policy) decide(p store.Principal, obj object) *Problem {
	if pol.Public || obj.Kind != pol.Object {
		// the path does not tell whose the object is (a case, a customer,
		// an invitation): the handler decides once it has read it
		// (allowed), so that a stranger gets 404 rather than the 403 of
		// the roles
		return nil
	}
	if !knows(p, obj) {
		return notFound(string(obj.Kind) + " " + obj.ID)
	}
	if len(pol.Roles) > 0 && !slices.Contains(pol.Roles, p.Role) {
		return forbidden("this needs the role " + strings.Join(pol.Roles, " or ") + ", not " + p.Role)
	}
	return nil
}

// knows reports whether obj is p's to know about. Staff know everything;
// a partner's members their partner and what belongs to it; a customer its
// own objects, and the partners (which are public names). Objects of no
// one (the calendar, the caller's own lists) everyone knows.
func knows(p store.Principal, obj object) bool {
	switch {
	case obj.Kind == objNone || obj.Kind == objCalendar || p.IsStaff():
		return true
	case obj.Kind == objInvitation:
		// its invitee's; the partner reads the invitations it sent as its
		// own records, through routes whose object is the partner
		return obj.PrincipalID != "" && p.ID == obj.PrincipalID
	case p.IsPartnerMember():
		// a personal account associated with no partner knows no partner's objects
		return p.PartnerID.Valid && obj.PartnerID != "" && p.PartnerID.String == obj.PartnerID
	case p.Role == cases.RoleCustomer:
		if obj.Kind == objPartner {
			return true
		}
		return obj.CustomerID != "" && p.CustomerID.String == obj.CustomerID
	}
	return false
}

// exists answers 404 for a partner in the path that does not exist: staff
// know every partner, so for them this is the only check; for a partner's
// members the path already names their own. A partner that has exited the
// program takes no step and changes nothing any more (409 partner-exited),
// but for what pol allows after the exit (deregistration).
func (s *Server) exists(ctx context.Context, pol policy, obj object) *Problem {
	if obj.Kind != objPartner && obj.Kind != objPartnerMoney {
		return nil
	}
	partner, err := s.store.Partner(ctx, obj.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound("partner " + obj.ID)
	case err != nil:
		return problemOf(ctx, s.logger, err, requestIDOf(ctx))
	case pol.Verb != read && !pol.AfterExit && (partner.Status == store.PartnerExited || partner.Status == store.PartnerDeregistered):
		p := conflict("partner-exited", "partner "+obj.ID+" has "+partner.Status+" and left the program (exit case "+
			partner.ExitCaseID.String+"): it takes no new step; its admin may only deregister the account")
		p.CaseID = partner.ExitCaseID.String
		return p
	}
	return nil
}

// customerFor reads the customer id and applies pol to it: a customer
// that does not exist, or is not the caller's to know about, is a 404; to
// a partner that only asked to associate it, 409 association-pending
// (notHeld).
func (s *Server) customerFor(ctx context.Context, pol policy, id string) (store.Customer, error) {
	cust, err := s.store.Customer(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Customer{}, notFound("customer " + id)
	}
	if err != nil {
		return store.Customer{}, err
	}
	if err := allowed(ctx, pol, object{Kind: objCustomer, ID: cust.ID, PartnerID: cust.PartnerID.String, CustomerID: cust.ID}); err != nil {
		if p := principalOf(ctx); p.IsPartnerMember() && p.PartnerID.Valid && p.PartnerID.String != cust.PartnerID.String {
			return store.Customer{}, s.notHeld(ctx, p.PartnerID.String, cust.ID)
		}
		return store.Customer{}, err
	}
	return cust, nil
}

// canRefuse403 reports whether the policy refuses some who know the object.
func (pol policy) canRefuse403() bool { return len(pol.Roles) > 0 }

// caseObject is a case as the policy sees it.
func caseObject(c cases.Case) object {
	return object{Kind: objCase, ID: c.ID, PartnerID: c.PartnerID, CustomerID: c.CustomerID}
}

// allowed applies the operation's policy to an object the handler read.
func allowed(ctx context.Context, pol policy, obj object) error {
	if refusal := pol.decide(principalOf(ctx), obj); refusal != nil {
		return refusal
	}
	return nil
}

// caseScope narrows a case list to what p may see; false when p may see
// none of the cases asked for.
func caseScope(p store.Principal, f store.CaseFilter) (store.CaseFilter, bool) {
	switch {
	case p.IsPartnerMember():
		if !p.PartnerID.Valid || (f.PartnerID != "" && f.PartnerID != p.PartnerID.String) {
			return f, false
		}
		f.PartnerID = p.PartnerID.String
	case p.Role == cases.RoleCustomer:
		f.CustomerID = p.CustomerID.String
	case !p.IsStaff():
		return f, false
	}
	return f, true
}

// notificationScope is whose notifications p reads; false when none.
// Partner members read their partner's, customers their own; ops and
// supervisors what is addressed to their role.
func notificationScope(p store.Principal) (store.Recipient, bool) {
	switch {
	case p.IsPartnerMember() && !p.PartnerID.Valid:
		return store.Recipient{}, false
	case p.IsPartnerMember():
		return store.Recipient{Audience: cases.AudiencePartner, PartnerID: p.PartnerID.String}, true
	case p.Role == cases.RoleCustomer:
		return store.Recipient{Audience: cases.AudienceCustomer, CustomerID: p.CustomerID.String}, true
	}
	return store.Recipient{Audience: p.Role}, true
}
