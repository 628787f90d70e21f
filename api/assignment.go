package api

import (
	"context"
	"net/http"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

// staffWorksCases: staff claim and assign the cases they see; the
// partner's side, who may see the case, may not (403).
var staffWorksCases = policy{Verb: act, Object: objCase, Roles: cases.StaffRoles}

type assignInput struct {
	CasePath
	Body struct {
		AssigneeID string `json:"assignee_id" minLength:"1" maxLength:"64" doc:"The staff member (ops or supervisor) to give the case to"`
	}
}

func (s *Server) assignmentRoutes() {
	register(s, huma.Operation{
		OperationID: "claimCase", Method: http.MethodPost, Path: "/v1/cases/{case_id}/claim", Tags: []string{"cases"},
		Summary:     "Claim a case",
		Description: "Staff: the case becomes the caller's, unless another staff member holds it (409 case-assigned; assign it instead to take it over). Claiming one's own case changes nothing.",
		Errors:      []int{http.StatusForbidden, http.StatusConflict},
		Responses:   anyCaseResponse(http.StatusOK),
	}, staffWorksCases, func(ctx context.Context, in *CasePath) (*bodyOf[cases.Case], error) {
		return s.assign(ctx, in.CaseID, principalOf(ctx).ID, true)
	})
	register(s, huma.Operation{
		OperationID: "assignCase", Method: http.MethodPut, Path: "/v1/cases/{case_id}/assignee", Tags: []string{"cases"},
		Summary:     "Assign a case to a staff member",
		Description: "Staff: the case becomes the named staff member's, whoever held it; recorded in the case's activity and the audit trail.",
		Errors:      []int{http.StatusBadRequest, http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity},
		Responses:   anyCaseResponse(http.StatusOK),
	}, staffWorksCases, func(ctx context.Context, in *assignInput) (*bodyOf[cases.Case], error) {
		return s.assign(ctx, in.CaseID, in.Body.AssigneeID, false)
	})
	register(s, huma.Operation{
		OperationID: "unassignCase", Method: http.MethodDelete, Path: "/v1/cases/{case_id}/assignee", Tags: []string{"cases"},
		Summary:     "Unassign a case",
		Description: "Staff: the case goes back to the unassigned queue.",
		Errors:      []int{http.StatusForbidden, http.StatusConflict},
		Responses:   anyCaseResponse(http.StatusOK),
	}, staffWorksCases, func(ctx context.Context, in *CasePath) (*bodyOf[cases.Case], error) {
		return s.assign(ctx, in.CaseID, "", false)
	})
}

// assign gives the case to assigneeID ("" for no one); claim only when no
// one else holds it.
func (s *Server) assign(ctx context.Context, caseID, assigneeID string, claim bool) (*bodyOf[cases.Case], error) {
	if _, err := s.visibleCase(ctx, caseID, staffWorksCases); err != nil {
		return nil, err
	}
	p := principalOf(ctx)
	c, err := s.store.Assign(ctx, store.Assignment{CaseID: caseID, AssigneeID: assigneeID, ActorID: p.ID, Claim: claim})
	if err != nil {
		return nil, err
	}
	return &bodyOf[cases.Case]{Body: withAssignee(recordedCase(c, p.Role), c.AssigneeID, p.Role)}, nil
}

// searchAndAssignee adds the list's text search and assignee filter to f:
// a search of at least store.MinSearch characters; the assignee filter
// for staff only (me: the caller; none: no one, open cases).
func searchAndAssignee(f *store.CaseFilter, p store.Principal, search, assignee string) error {
	if search != "" && utf8.RuneCountInString(search) < store.MinSearch {
		return invalid(rules.FieldErrors{{Field: "q", Message: "is shorter than 2 characters: say more of what you look for"}})
	}
	f.Search = search
	switch {
	case assignee == "":
	case !p.IsStaff():
		return invalid(rules.FieldErrors{{Field: "assignee", Message: "only the vendor's staff filter by assignee"}})
	case assignee == "me":
		f.AssigneeID = p.ID
	case assignee == "none":
		f.Open, f.Unassigned = true, true
	default:
		f.AssigneeID = assignee
	}
	return nil
}
