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

type InvitationPath struct {
	InvitationID string `path:"invitation_id" maxLength:"64" doc:"The invitation's ID"`
}

func (s *Server) memberRoutes() {
	tags := []string{"members"}
	register(s, huma.Operation{
		OperationID: "invitePersonalAccount", Method: http.MethodPost, Path: "/v1/partners/{partner_id}/invitations", Tags: tags,
		Summary: "Invite a personal account",
		Description: "The partner's company (admin) account invites a personal account to associate with the partner. " +
			"Refused with 422 (principal_id) when the principal does not exist or is not a personal account, with 409 when it is " +
			"already associated with a partner or already has a pending invitation from this partner. Audited.",
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity},
	}, partnerAdmin, s.invite)
	register(s, huma.Operation{
		OperationID: "listPartnerInvitations", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/invitations", Tags: tags,
		Summary: "The invitations the partner has sent", Description: "For the partner's company (admin) account; newest first.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, partnerAdmin, s.listPartnerInvitations)
	register(s, huma.Operation{
		OperationID: "getPartnerInvitation", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/invitations/{invitation_id}", Tags: tags,
		Summary: "An invitation the partner has sent", Description: "For the partner's company (admin) account.",
	}, partnerAdmin, s.getPartnerInvitation)
	register(s, huma.Operation{
		OperationID: "listMyInvitations", Method: http.MethodGet, Path: "/v1/invitations", Tags: tags,
		Summary:     "The caller's pending invitations",
		Description: "For a personal account (role member): the invitations awaiting its answer, from any partner, newest first.",
		Errors:      []int{http.StatusUnprocessableEntity},
	}, inviteeReads, s.listMyInvitations)
	register(s, huma.Operation{
		OperationID: "acceptInvitation", Method: http.MethodPost, Path: "/v1/invitations/{invitation_id}/accept", Tags: tags,
		Summary: "Accept an invitation",
		Description: "The invitee, with its own token, joins the partner. An account belongs to one partner at most: accepting while " +
			"associated with a partner is 409, as is answering an invitation no longer pending. Of two invitations accepted at once only one wins. Audited.",
		Errors: []int{http.StatusConflict},
	}, inviteeAnswers, s.acceptInvitation)
	register(s, huma.Operation{
		OperationID: "declineInvitation", Method: http.MethodPost, Path: "/v1/invitations/{invitation_id}/decline", Tags: tags,
		Summary:     "Decline an invitation",
		Description: "The invitee, with its own token, declines (no longer pending: 409). Audited.",
		Errors:      []int{http.StatusConflict},
	}, inviteeAnswers, s.declineInvitation)
	register(s, huma.Operation{
		OperationID: "listMembers", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/members", Tags: tags,
		Summary: "The partner's accounts",
		Description: "For the partner's company (admin) account: itself first, then the personal accounts in the order they joined, " +
			"with role and since when.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, partnerAdmin, s.listMembers)
	register(s, huma.Operation{
		OperationID: "removeMember", Method: http.MethodDelete, Path: "/v1/partners/{partner_id}/members/{principal_id}", Tags: tags,
		Summary: "Remove a personal account",
		Description: "The partner's company (admin) account removes a personal account, which keeps its token but sees nothing of the " +
			"partner anymore. The admin cannot remove itself (409); an account that is not the partner's: 404. Audited.",
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusConflict},
	}, partnerAdmin, s.removeMember)
	register(s, huma.Operation{
		OperationID: "listPartnerAuditEvents", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/audit-events", Tags: tags,
		Summary: "The partner's audit trail",
		Description: "For the partner's company (admin) account: who did what to the partner's records (registration, settings, " +
			"business plans, level applications, invitations, membership), newest first.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, partnerAdmin, s.auditTrail)
}

// invitationView is an invitation as the API shows it.
type invitationView struct {
	ID            string      `json:"id"`
	PartnerID     string      `json:"partner_id"`
	PartnerName   string      `json:"partner_name"`
	PrincipalID   string      `json:"principal_id" doc:"The invited personal account"`
	PrincipalName string      `json:"principal_name"`
	Status        string      `json:"status" enum:"pending,accepted,declined"`
	InvitedBy     cases.Actor `json:"invited_by"`
	CreatedAt     time.Time   `json:"created_at"`
	RespondedAt   *time.Time  `json:"responded_at" doc:"When the invitee accepted or declined; null while pending"`
}

func viewInvitation(i store.Invitation) invitationView {
	v := invitationView{
		ID: i.ID, PartnerID: i.PartnerID, PartnerName: i.PartnerName,
		PrincipalID: i.PrincipalID, PrincipalName: i.PrincipalName, Status: i.Status,
		InvitedBy: cases.Actor{ID: i.InvitedBy, Role: i.InvitedByRole, Name: i.InvitedByName},
		CreatedAt: i.CreatedAt.UTC(),
	}
	if i.RespondedAt.Valid {
		at := i.RespondedAt.Time.UTC()
		v.RespondedAt = &at
	}
	return v
}

type inviteInput struct {
	PartnerPath
	Body struct {
		PrincipalID string `json:"principal_id" maxLength:"100" doc:"The personal account (a principal of role member) to invite"`
	}
}

// Resolve checks the invitation by the rules.
func (in *inviteInput) Resolve(huma.Context) []error {
	return ruleErrors(rules.InvitationInput{PrincipalID: in.Body.PrincipalID}.Validate())
}

type invitedOutput struct {
	Location string `header:"Location" doc:"The invitation's URL"`
	Body     invitationView
}

// invite serves POST /v1/partners/{id}/invitations: the partner's admin
// invites a personal account to associate with the partner.
func (s *Server) invite(ctx context.Context, in *inviteInput) (*invitedOutput, error) {
	inv, err := s.store.Invite(ctx, in.PartnerID, strings.TrimSpace(in.Body.PrincipalID), principalOf(ctx),
		func(invitee rules.MemberAccount, pendingFromPartner bool) error {
			if r := rules.InvitationRefusal(invitee, pendingFromPartner); r != nil {
				return refusalProblem(r)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return &invitedOutput{Location: "/v1/partners/" + in.PartnerID + "/invitations/" + inv.ID, Body: viewInvitation(inv)}, nil
}

type invitationsOutput struct {
	Body struct {
		Invitations []invitationView `json:"invitations"`
		NextPage
	}
}

// invitationList answers a page of invitations read by read for id.
func invitationList(ctx context.Context, id string, p store.Page,
	read func(context.Context, string, store.Page) ([]store.Invitation, string, error),
) (*invitationsOutput, error) {
	list, next, err := read(ctx, id, p)
	if err != nil {
		return nil, err
	}
	out := &invitationsOutput{}
	out.Body.Invitations, out.Body.NextCursor = viewsOf(list, viewInvitation), next
	return out, nil
}

// listPartnerInvitations serves GET /v1/partners/{id}/invitations: the
// invitations the partner has sent, for its admin.
func (s *Server) listPartnerInvitations(ctx context.Context, in *partnerPageInput) (*invitationsOutput, error) {
	return invitationList(ctx, in.PartnerID, in.page(), s.store.PartnerInvitations)
}

// listMyInvitations serves GET /v1/invitations: the invitations awaiting
// the calling personal account's answer.
func (s *Server) listMyInvitations(ctx context.Context, in *PageParams) (*invitationsOutput, error) {
	return invitationList(ctx, principalOf(ctx).ID, in.page(), s.store.PendingInvitations)
}

type partnerInvitationInput struct {
	PartnerPath
	InvitationPath
}

// getPartnerInvitation serves GET /v1/partners/{id}/invitations/{invitation_id}.
func (s *Server) getPartnerInvitation(ctx context.Context, in *partnerInvitationInput) (*bodyOf[invitationView], error) {
	inv, err := s.store.PartnerInvitation(ctx, in.PartnerID, in.InvitationID)
	return one("invitation "+in.InvitationID, inv, err, viewInvitation)
}

// acceptInvitation serves POST /v1/invitations/{id}/accept.
func (s *Server) acceptInvitation(ctx context.Context, in *InvitationPath) (*bodyOf[invitationView], error) {
	return s.answerInvitation(ctx, in.InvitationID, true)
}

// declineInvitation serves POST /v1/invitations/{id}/decline.
func (s *Server) declineInvitation(ctx context.Context, in *InvitationPath) (*bodyOf[invitationView], error) {
	return s.answerInvitation(ctx, in.InvitationID, false)
}

// answerInvitation records the invitee's answer, with its own token.
// Accepting associates the account with the partner; an account belongs to
// one partner at most.
func (s *Server) answerInvitation(ctx context.Context, id string, accept bool) (*bodyOf[invitationView], error) {
	inv, err := s.store.Invitation(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("invitation " + id)
	}
	if err != nil {
		return nil, err
	}
	if err := allowed(ctx, inviteeAnswers, invitationObject(inv)); err != nil {
		return nil, err
	}
	inv, err = s.store.AnswerInvitation(ctx, id, principalOf(ctx), accept,
		func(status rules.InvitationStatus, account rules.MemberAccount) error {
			if r := rules.AnswerRefusal(status, account, accept); r != nil {
				return refusalProblem(r)
			}
			return nil
		})
	return one("invitation "+id, inv, err, viewInvitation)
}

// invitationObject is an invitation as the policy sees it.
func invitationObject(inv store.Invitation) object {
	return object{Kind: objInvitation, ID: inv.ID, PartnerID: inv.PartnerID, PrincipalID: inv.PrincipalID}
}

// memberView is an account of a partner.
type memberView struct {
	PrincipalID string    `json:"principal_id"`
	Name        string    `json:"name"`
	Role        string    `json:"role" enum:"admin,member" doc:"admin is the company account, member a personal account"`
	Since       time.Time `json:"since" doc:"When the account joined the partner"`
}

type membersOutput struct {
	Body struct {
		Members []memberView `json:"members"`
		NextPage
	}
}

// listMembers serves GET /v1/partners/{id}/members: the company (admin)
// account and the personal accounts, for the admin.
func (s *Server) listMembers(ctx context.Context, in *partnerPageInput) (*membersOutput, error) {
	members, next, err := s.store.Members(ctx, in.PartnerID, in.page())
	if err != nil {
		return nil, err
	}
	out := &membersOutput{}
	out.Body.Members = viewsOf(members, func(m store.Member) memberView {
		return memberView{PrincipalID: m.PrincipalID, Name: m.Name, Role: m.Role, Since: m.Since}
	})
	out.Body.NextCursor = next
	return out, nil
}

type removeMemberInput struct {
	PartnerPath
	PrincipalID string `path:"principal_id" maxLength:"64" doc:"The account's principal ID"`
}

// removeMember serves DELETE /v1/partners/{id}/members/{principal_id}: the
// admin dissociates a personal account, which keeps its token but no
// longer sees anything of the partner.
func (s *Server) removeMember(ctx context.Context, in *removeMemberInput) (*struct{}, error) {
	err := s.store.RemoveMember(ctx, in.PartnerID, in.PrincipalID, principalOf(ctx), func(account rules.MemberAccount) error {
		if r := rules.RemovalRefusal(account); r != nil {
			return refusalProblem(r)
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("member " + in.PrincipalID)
	}
	if err == nil {
		s.obligationChanged(ctx, in.PartnerID)
	}
	return nil, err
}

type auditTrailInput struct {
	PartnerPath
	PrincipalID string `query:"principal_id" maxLength:"100" doc:"Only this account's writes"`
	PageParams
}

type auditEventsOutput struct {
	Body struct {
		AuditEvents []store.AuditEvent `json:"audit_events"`
		NextPage
	}
}

// auditTrail serves GET /v1/partners/{id}/audit-events: who did what to
// the partner's records, newest first; principal_id narrows it to one
// account.
func (s *Server) auditTrail(ctx context.Context, in *auditTrailInput) (*auditEventsOutput, error) {
	events, next, err := s.store.AuditTrail(ctx, in.PartnerID, in.PrincipalID, in.page())
	if err != nil {
		return nil, err
	}
	out := &auditEventsOutput{}
	out.Body.AuditEvents, out.Body.NextCursor = viewsOf(events, asIs[store.AuditEvent]), next
	return out, nil
}
