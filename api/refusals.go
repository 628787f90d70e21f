package api

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/workflows"
)

// refusal is one error the store or a case's workflow refuses a request
// with, and the problem it answers. Every error the store exports is in
// refusals (TestEveryStoreErrorHasAProblem), and so is every refusal of an
// action (TestEveryActionRefusalHasAProblem), so none answers a 500.
type refusal struct {
	sentinel error        // matched with errors.Is; nil for a typed error
	typ      reflect.Type // matched with errors.As (a pointer type); nil for a sentinel
	problem  func(err error) *Problem
}

// sentinel is the refusal of a sentinel error.
func sentinel(target error, problem func(err error) *Problem) refusal {
	return refusal{sentinel: target, problem: problem}
}

// typed is the refusal of an error type (*E).
func typed[E any, P interface {
	*E
	error
}](problem func(P) *Problem) refusal {
	return refusal{typ: reflect.TypeFor[P](), problem: func(err error) *Problem {
		var target P
		errors.As(err, &target)
		return problem(target)
	}}
}

// matches says whether err is (or wraps) the refusal's error.
func (r refusal) matches(err error) bool {
	if r.sentinel != nil {
		return errors.Is(err, r.sentinel)
	}
	target := reflect.New(r.typ)
	return errors.As(err, target.Interface())
}

// same is a problem that does not depend on the error.
func same(p func() *Problem) func(error) *Problem { return func(error) *Problem { return p() } }

// fieldRefusal is a 422 naming the field the error is about.
func fieldRefusal(field, message string) func(error) *Problem {
	return func(error) *Problem { return invalid(rules.FieldErrors{{Field: field, Message: message}}) }
}

// refusals is the one table from the store's and the workflows' errors to
// problems. Typed errors come first: some also match a sentinel (a
// *DissociationBlocked is an ErrDissociationBlocked) and say more.
var refusals = []refusal{
	// A case's workflow refused an action (its validator), or the action's
	// step failed: by the refusal's type (actionRefusals).
	typed(func(e *temporal.ApplicationError) *Problem {
		if refused, ok := actionRefusals[e.Type()]; ok {
			return refused(e)
		}
		return conflict("action-failed", e.Message()) // the step itself failed; the case says where it stands
	}),
	// An action's update found no workflow: the case finished and
	// Temporal no longer keeps it (the only call that names a workflow and
	// answers its error).
	typed(func(*serviceerror.NotFound) *Problem { return caseClosed() }),
	typed(func(e *store.PartnerExitingError) *Problem { return exitingProblem(e) }),
	typed(func(e *store.OpenCaseError) *Problem {
		p := conflict("case-open", "the partner already has an open "+string(e.Kind)+" case, "+e.CaseID+
			"; act on it (resubmit, file a ticket) instead of starting another")
		p.CaseID = e.CaseID
		return p
	}),
	typed(func(e *store.NotExitedError) *Problem {
		detail := "the partner has not asked to exit the program: POST /v1/partners/{id}/exit first, and deregister once it has exited"
		if e.ExitCaseID != "" {
			detail = "the partner's exit case " + e.ExitCaseID + " has not ended yet: deregister once the partner has exited"
		}
		p := conflict("exit-required", detail)
		p.CaseID = e.ExitCaseID
		return p
	}),
	typed(func(e *store.InsufficientBalanceError) *Problem {
		return conflict("insufficient-balance", e.Error()+"; nothing was moved")
	}),
	typed(certificationRequired),
	typed(func(e *store.AlreadyAssignedError) *Problem {
		p := conflict("case-assigned", e.Error()+"; assign it to take it over")
		p.CaseID = e.CaseID
		return p
	}),
	typed(func(e *store.DissociationBlocked) *Problem {
		return conflict("dissociation-blocked", "the customer cannot be dissociated yet: "+strings.Join(e.Reasons(), "; "))
	}),
	typed(func(e *store.AssociationPendingError) *Problem {
		p := conflict("association-pending", e.Error()+"; nothing was done")
		p.CaseID = e.CaseID
		return p
	}),
	typed(func(e *store.DissociationLimitError) *Problem {
		return conflict("dissociation-limit", e.Error()+"; nothing was requested")
	}),
	typed(func(e *store.GroupError) *Problem {
		return invalid(rules.FieldErrors{{Field: "primary_id", Message: e.Problem}})
	}),

	sentinel(store.ErrNotStaff, fieldRefusal("assignee_id", "is not one of the vendor's staff (ops or supervisor)")),
	sentinel(store.ErrCaseClosed, same(func() *Problem {
		return conflict("case-closed", "the case is closed: it is assigned to no one any more")
	})),
	sentinel(store.ErrNotFound, same(func() *Problem { return notFound("what the request names was") })),
	sentinel(store.ErrBadCursor, same(func() *Problem { return invalid(rules.FieldErrors{badCursor}) })),
	sentinel(store.ErrTooManyEndpoints, same(func() *Problem {
		return conflict("too-many-webhook-endpoints", fmt.Sprintf("the partner has %d webhook endpoints already, the most it may have: "+
			"remove one first", store.MaxWebhookEndpoints))
	})),
	// a pool too large is refused when a process starts, never by a request;
	// should one meet it, the database is out of reach for now
	sentinel(store.ErrPoolTooLarge, same(func() *Problem {
		p := problem(http.StatusServiceUnavailable, "database-unavailable", "the database refuses more connections; retry shortly")
		p.retryAfter = databaseRetryAfter
		return p
	})),
	sentinel(store.ErrIdempotencyConflict, same(func() *Problem {
		return conflict("idempotency-key-reused", "this Idempotency-Key was already used with another request")
	})),
	sentinel(store.ErrAssociationChanged, same(func() *Problem {
		return conflict("association-changed", "the customer's association with its partner changed meanwhile; try again")
	})),
	sentinel(store.ErrDissociationBlocked, same(func() *Problem {
		return conflict("dissociation-blocked", "the customer cannot be dissociated yet")
	})),
	sentinel(store.ErrAccountUnavailable, same(func() *Problem {
		return conflict("account-unavailable", "this account cannot be associated with the partner now; nothing was requested")
	})),
	sentinel(store.ErrAlreadyAssociated, same(func() *Problem {
		return conflict("already-associated", "this account is the partner's customer already; nothing was requested")
	})),
	sentinel(store.ErrAssociationDecided, same(func() *Problem {
		return conflict("already-decided", "the association request was decided already")
	})),
	sentinel(store.ErrXAccountTaken, same(func() *Problem {
		return conflict("customer-already-bound", "a customer with this xaccount_id is already bound under this xaccount_type")
	})),
	sentinel(store.ErrCloudAccountTaken, same(func() *Problem {
		return conflict("cloud-account-already-bound", "this cloud account is already bound to a customer")
	})),
	sentinel(store.ErrInsufficientBalance, same(func() *Problem {
		return conflict("insufficient-balance", "insufficient balance; nothing was moved")
	})),
	sentinel(store.ErrDuplicateTransactionID, same(func() *Problem {
		return conflict("duplicate-transaction-id",
			"this transaction_id was already used for a deposit or adjustment of the partner; nothing was moved")
	})),
	sentinel(store.ErrWithdrawalConflict, same(func() *Problem {
		return conflict("duplicate-transaction-id", "this transaction_id was already used for another movement of the partner; nothing was moved")
	})),
	sentinel(store.ErrPostingConflict, same(func() *Problem {
		return conflict("duplicate-transaction-id", "this reference was already used for another movement; nothing was moved")
	})),
	sentinel(store.ErrBalanceLimit, same(func() *Problem {
		return conflict("balance-limit", "the balance would exceed the largest amount an account can hold; nothing was moved")
	})),
	sentinel(store.ErrNotResaleCustomer, same(func() *Problem {
		return conflict("not-resale-customer", "only resale sub-customers can receive account adjustments")
	})),
	sentinel(store.ErrOrderExpired, same(func() *Problem {
		return conflict("order-expired", "the order's payment deadline has passed; it is cancelled")
	})),
	sentinel(store.ErrOrderNotPayable, same(func() *Problem {
		return conflict("order-not-payable", "the order does not wait for the customer's own payment "+
			"(it is paid, cancelled, or its partner payment case runs it: pay through the case's pay action)")
	})),
	sentinel(store.ErrNoAccount, same(func() *Problem {
		return conflict("no-account", "a customer without a partner has no account here; it pays through the vendor's billing")
	})),
	sentinel(store.ErrVendorOpportunityHeld, same(func() *Problem {
		return conflict("vendor-opportunity-held", "the vendor opportunity is shared with or accepted by a partner; "+
			"it can be shared again once the invitation is declined or expires")
	})),
	sentinel(store.ErrApplicationDecided, same(func() *Problem {
		return conflict("already-decided", "the level application was already decided")
	})),
	sentinel(store.ErrNotPrimary, same(func() *Problem {
		return conflict("not-a-primary-resource", "not a primary resource: renew a group by its primary resource's ID")
	})),
	sentinel(store.ErrInUnpaidOrder, same(func() *Problem {
		return conflict("resource-in-unpaid-order", store.ErrInUnpaidOrder.Error())
	})),
	sentinel(store.ErrNotRenewable, same(func() *Problem {
		return conflict("resource-not-renewable", store.ErrNotRenewable.Error())
	})),
	sentinel(store.ErrTermRenewed, same(func() *Problem {
		return conflict("term-renewed", "the group no longer expires at term_expires_at: that term is renewed already; read it again")
	})),
	sentinel(store.ErrAutoRenewalOff, same(func() *Problem {
		return conflict("auto-renewal-off", store.ErrAutoRenewalOff.Error())
	})),
	sentinel(store.ErrChargeTooLarge, fieldRefusal("period", store.ErrChargeTooLarge.Error())),
	sentinel(store.ErrNoSuchPrimary, fieldRefusal("primary_id", "must name a resource of this customer")),
	sentinel(store.ErrNoSuchOrder, fieldRefusal("order_id", "must name an existing order")),
	sentinel(store.ErrRegistrationsFull, same(func() *Problem {
		p := problem(http.StatusTooManyRequests, "registrations-full", store.ErrRegistrationsFull.Error()+
			": nothing was stored; try again later, or ask the vendor's partner team to register the company")
		p.retryAfter = registrationsRetryAfter
		return p
	})),
	sentinel(store.ErrDelegationNotResale, same(func() *Problem {
		return conflict("not-resale-customer", store.ErrDelegationNotResale.Error())
	})),
	sentinel(store.ErrDelegationNotAllowed, same(func() *Problem { return forbidden(store.ErrDelegationNotAllowed.Error()) })),
	sentinel(store.ErrAttachmentTooLarge, same(func() *Problem {
		return problem(http.StatusRequestEntityTooLarge, "attachment-too-large", store.ErrAttachmentTooLarge.Error()+"; nothing was stored")
	})),
	sentinel(store.ErrAttachmentType, same(func() *Problem {
		return problem(http.StatusUnsupportedMediaType, "attachment-type",
			"the file is not a PDF, JPEG or PNG by its bytes (whatever its name says); nothing was stored")
	})),
	sentinel(store.ErrTooManyAttachments, same(func() *Problem {
		return conflict("too-many-attachments", store.ErrTooManyAttachments.Error()+"; nothing was stored")
	})),
	sentinel(store.ErrAttachmentsNotTaken, same(func() *Problem {
		return conflict("attachments-not-taken", store.ErrAttachmentsNotTaken.Error())
	})),
	sentinel(store.ErrResourceExists, same(func() *Problem {
		return conflict("resource-exists", "a resource with this ID is recorded already")
	})),
}

// actionRefusals are the problems of a workflow's refusals of an action,
// by the refusal's type (cases.Refusal…, and the processes' own).
var actionRefusals = map[string]func(*temporal.ApplicationError) *Problem{
	cases.RefusalForbidden: func(e *temporal.ApplicationError) *Problem { return forbidden(e.Message()) },
	cases.RefusalConflict: func(e *temporal.ApplicationError) *Problem {
		return conflict("action-not-allowed", e.Message())
	},
	cases.RefusalInvalid: func(e *temporal.ApplicationError) *Problem {
		var fields rules.FieldErrors
		if e.HasDetails() {
			_ = e.Details(&fields)
		}
		return invalid(fields)
	},
	workflows.RefusalInsufficientBalance: func(e *temporal.ApplicationError) *Problem {
		return conflict("insufficient-balance", e.Message()+"; nothing was moved")
	},
	workflows.RefusalDissociationBlocked: func(e *temporal.ApplicationError) *Problem {
		return conflict("dissociation-blocked", e.Message()+"; nothing changed, the request waits")
	},
	workflows.RefusalAssociationRefused: func(e *temporal.ApplicationError) *Problem {
		return conflict("account-unavailable", e.Message()+"; nothing changed")
	},
}

// refusalOf is the problem of the store's or a workflow's refusal err, if
// it is one.
func refusalOf(err error) (*Problem, bool) {
	for _, r := range refusals {
		if r.matches(err) {
			return r.problem(err), true
		}
	}
	return nil, false
}
