package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

func (s *Server) memberRoutes(v1 fiber.Router) {
	v1.Post("/partners/:partner_id/invitations", s.invite)
	v1.Get("/partners/:partner_id/invitations", s.listPartnerInvitations)
	v1.Get("/partners/:partner_id/invitations/:invitation_id", s.getPartnerInvitation)
	v1.Get("/invitations", s.listMyInvitations)
	v1.Post("/invitations/:invitation_id/accept", s.answerInvitation(true))
	v1.Post("/invitations/:invitation_id/decline", s.answerInvitation(false))
	v1.Get("/partners/:partner_id/members", s.listMembers)
	v1.Delete("/partners/:partner_id/members/:principal_id", s.removeMember)
	v1.Get("/partners/:partner_id/audit-events", s.auditTrail)
}

// invitationView is an invitation as the API shows it.
type invitationView struct {
	ID            string      `json:"id"`
	PartnerID     string      `json:"partner_id"`
	PartnerName   string      `json:"partner_name"`
	PrincipalID   string      `json:"principal_id"`
	PrincipalName string      `json:"principal_name"`
	Status        string      `json:"status"`
	InvitedBy     cases.Actor `json:"invited_by"`
	CreatedAt     time.Time   `json:"created_at"`
	RespondedAt   *time.Time  `json:"responded_at"`
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

// invite serves POST /v1/partners/{id}/invitations: the partner's admin
// invites a personal account to associate with the partner.
func (s *Server) invite(c *fiber.Ctx) error {
	p, partnerID, err := adminScope(c, "invite personal accounts")
	if err != nil {
		return err
	}
	var in rules.InvitationInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	if problems := in.Validate(); len(problems) > 0 {
		return invalid(problems)
	}
	inv, err := s.store.Invite(c.UserContext(), partnerID, strings.TrimSpace(in.PrincipalID), p,
		func(invitee rules.MemberAccount, pendingFromPartner bool) error {
			if r := rules.InvitationRefusal(invitee, pendingFromPartner); r != nil {
				return refusalProblem(r)
			}
			return nil
		})
	if err != nil {
		return err
	}
	c.Location("/v1/partners/" + partnerID + "/invitations/" + inv.ID)
	return c.Status(fiber.StatusCreated).JSON(viewInvitation(inv))
}

// listPartnerInvitations serves GET /v1/partners/{id}/invitations: the
// invitations the partner has sent, for its admin.
func (s *Server) listPartnerInvitations(c *fiber.Ctx) error {
	_, partnerID, err := adminScope(c, "see the partner's invitations")
	if err != nil {
		return err
	}
	list, next, err := pageOfOne(c, partnerID, s.store.PartnerInvitations)
	return answerList(c, "invitations", list, next, err, viewInvitation)
}

// getPartnerInvitation serves GET /v1/partners/{id}/invitations/{invitation_id}.
func (s *Server) getPartnerInvitation(c *fiber.Ctx) error {
	_, partnerID, err := adminScope(c, "see the partner's invitations")
	if err != nil {
		return err
	}
	id := c.Params("invitation_id")
	inv, err := s.store.PartnerInvitation(c.UserContext(), partnerID, id)
	return answerOne(c, "invitation "+id, inv, err, viewInvitation)
}

// listMyInvitations serves GET /v1/invitations: the invitations awaiting
// the calling personal account's answer.
func (s *Server) listMyInvitations(c *fiber.Ctx) error {
	p := principal(c)
	if p.Role != cases.RoleMember {
		return forbidden("invitations are addressed to personal accounts (role member), not to " + p.Role)
	}
	list, next, err := pageOfOne(c, p.ID, s.store.PendingInvitations)
	return answerList(c, "invitations", list, next, err, viewInvitation)
}

// answerInvitation serves POST /v1/invitations/{id}/accept and /decline:
// the invitee answers with its own token. Accepting associates the account
// with the partner; an account belongs to one partner at most.
func (s *Server) answerInvitation(accept bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, id := principal(c), c.Params("invitation_id")
		inv, err := s.store.AnswerInvitation(c.UserContext(), id, p, accept,
			func(status rules.InvitationStatus, account rules.MemberAccount) error {
				if r := rules.AnswerRefusal(status, account, accept); r != nil {
					return refusalProblem(r)
				}
				return nil
			})
		if errors.Is(err, store.ErrNotFound) {
			return notFound("invitation " + id)
		}
		if err != nil {
			return err
		}
		return c.JSON(viewInvitation(inv))
	}
}

// memberView is an account of a partner.
type memberView struct {
	PrincipalID string    `json:"principal_id"`
	Name        string    `json:"name"`
	Role        string    `json:"role"`
	Since       time.Time `json:"since"`
}

// listMembers serves GET /v1/partners/{id}/members: the company (admin)
// account and the personal accounts, for the admin.
func (s *Server) listMembers(c *fiber.Ctx) error {
	_, partnerID, err := adminScope(c, "list the partner's accounts")
	if err != nil {
		return err
	}
	members, next, err := pageOfOne(c, partnerID, s.store.Members)
	return answerList(c, "members", members, next, err, func(m store.Member) memberView {
		return memberView{PrincipalID: m.PrincipalID, Name: m.Name, Role: m.Role, Since: m.Since}
	})
}

// removeMember serves DELETE /v1/partners/{id}/members/{principal_id}: the
// admin dissociates a personal account, which keeps its token but no
// longer sees anything of the partner.
func (s *Server) removeMember(c *fiber.Ctx) error {
	p, partnerID, err := adminScope(c, "remove personal accounts")
	if err != nil {
		return err
	}
	id := c.Params("principal_id")
	err = s.store.RemoveMember(c.UserContext(), partnerID, id, p, func(account rules.MemberAccount) error {
		if r := rules.RemovalRefusal(account); r != nil {
			return refusalProblem(r)
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return notFound("member " + id)
	}
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// auditTrail serves GET /v1/partners/{id}/audit-events: who did what to
// the partner's records, newest first; principal_id narrows it to one
// account.
func (s *Server) auditTrail(c *fiber.Ctx) error {
	_, partnerID, err := adminScope(c, "read the partner's audit trail")
	if err != nil {
		return err
	}
	principalID := c.Query("principal_id")
	var bad rules.FieldErrors
	if len(principalID) > rules.MaxInviteePrincipalIDLength {
		bad = append(bad, rules.FieldError{Field: "principal_id", Message: fmt.Sprintf(
			"must be at most %d characters", rules.MaxInviteePrincipalIDLength)})
	}
	events, next, err := readPage(c, bad, func(ctx context.Context, p store.Page) ([]store.AuditEvent, string, error) {
		return s.store.AuditTrail(ctx, partnerID, principalID, p)
	})
	return answerList(c, "audit_events", events, next, err, asIs[store.AuditEvent])
}
