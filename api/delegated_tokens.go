package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/rules"
	"partnerops/store"
)

// Lifetimes of delegated tokens (docs/delegated-tokens.md): the shortest is
// Deps.DelegatedTokenMinLifetime (this by default), the longest and the
// default fixed.
const (
	DefaultDelegatedTokenMinLifetime = 15 * time.Minute
	maxDelegatedTokenLifetime        = 12 * time.Hour
	defaultDelegatedTokenLifetime    = time.Hour
)

func (s *Server) delegatedTokenRoutes() {
	tags := []string{"customers"}
	register(s, huma.Operation{
		OperationID: "issueDelegatedToken", Method: http.MethodPost,
		Path: "/v1/partners/{partner_id}/customers/{customer_id}/delegated-tokens", Tags: tags,
		Summary: "Obtain a token acting for a resale customer",
		Description: "The partner's company (admin) account, or a member its admin allowed (PUT .../members/{principal_id}/delegation; " +
			"others 403), obtains a short-lived token that acts for one of the partner's resale customers as the customer's own token " +
			"would, and nothing else. The answer shows the token this once; only its hash is kept. `lifetime_seconds` is from " +
			"PARTNEROPS_DELEGATED_TOKEN_MIN_LIFETIME (15 minutes) to 12 hours, 1 hour if absent. A consultative customer: 409 " +
			"not-resale-customer; a customer that is not (or not yet) the partner's: 404. The token stops working when it expires, " +
			"is revoked, the member leaves or loses the permission, or the association ends. What is done with it is recorded as " +
			"\"member M of partner P acting for customer C\". Audited.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, partnerStarts, s.issueDelegatedToken)
	register(s, huma.Operation{
		OperationID: "revokeDelegatedToken", Method: http.MethodDelete,
		Path: "/v1/partners/{partner_id}/customers/{customer_id}/delegated-tokens/{token_id}", Tags: tags,
		Summary: "Revoke a delegated token",
		Description: "The partner's company (admin) account, or the member that obtained it, ends a delegated token at once (then 401). " +
			"Revoking one already revoked or expired changes nothing. Audited.",
		DefaultStatus: http.StatusNoContent,
	}, partnerStarts, s.revokeDelegatedToken)
	register(s, huma.Operation{
		OperationID: "allowDelegation", Method: http.MethodPut, Path: "/v1/partners/{partner_id}/members/{principal_id}/delegation", Tags: []string{"members"},
		Summary:       "Allow a member to act for customers",
		Description:   "The partner's company (admin) account allows a personal account of the partner to obtain delegated tokens. Audited.",
		DefaultStatus: http.StatusNoContent,
	}, partnerAdmin, s.allowDelegation)
	register(s, huma.Operation{
		OperationID: "withdrawDelegation", Method: http.MethodDelete, Path: "/v1/partners/{partner_id}/members/{principal_id}/delegation", Tags: []string{"members"},
		Summary:       "Stop a member acting for customers",
		Description:   "The partner's company (admin) account withdraws the permission; the member's delegated tokens stop working at once. Audited.",
		DefaultStatus: http.StatusNoContent,
	}, partnerAdmin, s.withdrawDelegation)
}

type issueDelegatedTokenInput struct {
	PartnerPath
	CustomerPath
	Body *delegationBody
}

// delegationBody is what obtaining a delegated token may say; no body: the default lifetime.
type delegationBody struct {
	LifetimeSeconds *int64 `json:"lifetime_seconds,omitempty" doc:"From PARTNEROPS_DELEGATED_TOKEN_MIN_LIFETIME (900 by default) to 43200; 3600 if absent" example:"3600"`
}

// delegatedTokenView is a delegated token as it is issued: the token shown this once.
type delegatedTokenView struct {
	ID          string    `json:"id" doc:"The token's principal ID: what the audit trail and case timelines name, and what revoking it takes"`
	Name        string    `json:"name" doc:"How records name whoever uses it: \"<member> of <partner> acting for <customer>\""`
	PartnerID   string    `json:"partner_id"`
	CustomerID  string    `json:"customer_id"`
	DelegatedBy string    `json:"delegated_by" doc:"The partner's account that obtained it"`
	ExpiresAt   time.Time `json:"expires_at"`
	Token       string    `json:"token" doc:"The bearer token; shown this once, only its hash is kept"`
}

// issueDelegatedToken serves POST .../customers/{customer_id}/delegated-tokens.
func (s *Server) issueDelegatedToken(ctx context.Context, in *issueDelegatedTokenInput) (*bodyOf[delegatedTokenView], error) {
	lifetime := defaultDelegatedTokenLifetime
	if in.Body != nil && in.Body.LifetimeSeconds != nil {
		lifetime = time.Duration(*in.Body.LifetimeSeconds) * time.Second
		if lifetime < s.minDelegation || lifetime > maxDelegatedTokenLifetime {
			return nil, invalid(rules.FieldErrors{{Field: "lifetime_seconds", Message: fmt.Sprintf("must be from %d to %d seconds",
				int64(s.minDelegation/time.Second), int64(maxDelegatedTokenLifetime/time.Second))}})
		}
	}
	d, token, err := s.store.IssueDelegatedToken(ctx, in.PartnerID, in.CustomerID, lifetime, principalOf(ctx))
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("customer " + in.CustomerID)
	}
	if err != nil {
		return nil, err
	}
	return &bodyOf[delegatedTokenView]{Body: delegatedTokenView{ID: d.ID, Name: d.Name, PartnerID: d.PartnerID, CustomerID: d.CustomerID,
		DelegatedBy: d.DelegatedBy, ExpiresAt: d.ExpiresAt, Token: token}}, nil
}

type revokeDelegatedTokenInput struct {
	PartnerPath
	CustomerPath
	TokenID string `path:"token_id" maxLength:"64" doc:"The delegated token's ID (not the token)"`
}

// revokeDelegatedToken serves DELETE .../delegated-tokens/{token_id}.
func (s *Server) revokeDelegatedToken(ctx context.Context, in *revokeDelegatedTokenInput) (*struct{}, error) {
	err := s.store.RevokeDelegatedToken(ctx, in.PartnerID, in.CustomerID, in.TokenID, principalOf(ctx))
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("delegated token " + in.TokenID)
	}
	return nil, err
}

// allowDelegation serves PUT .../members/{principal_id}/delegation.
func (s *Server) allowDelegation(ctx context.Context, in *removeMemberInput) (*struct{}, error) {
	return s.setDelegation(ctx, in, true)
}

// withdrawDelegation serves DELETE .../members/{principal_id}/delegation.
func (s *Server) withdrawDelegation(ctx context.Context, in *removeMemberInput) (*struct{}, error) {
	return s.setDelegation(ctx, in, false)
}

func (s *Server) setDelegation(ctx context.Context, in *removeMemberInput, allow bool) (*struct{}, error) {
	err := s.store.AllowDelegation(ctx, in.PartnerID, in.PrincipalID, allow, principalOf(ctx))
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("member " + in.PrincipalID)
	}
	return nil, err
}
