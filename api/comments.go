package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
)

// Comments on a case's timeline: staff write internal notes (staff's only)
// and comments the partner's members see; the partner's members write and
// read the latter only. A case's customer has no part in them (403).
var (
	caseCommenters     = append(slices.Clone(cases.StaffRoles), cases.PartnerRoles...)
	readCaseComments   = policy{Verb: read, Object: objCase, Roles: caseCommenters}
	commentOnCase      = policy{Verb: act, Object: objCase, Roles: caseCommenters}
	maxCommentRunes    = 4000
	commentVisibleToUs = "partner"
)

type caseComment struct {
	ID         int64  `json:"id"`
	Comment    string `json:"comment"`
	Visibility string `json:"visibility" enum:"internal,partner" doc:"internal: staff only; partner: the partner's members see it too"`
	AuthorName string `json:"author_name"`
	AuthorRole string `json:"author_role"`
	At         string `json:"at" format:"date-time"`
}

type caseCommentsOutput struct {
	Body struct {
		Comments []caseComment `json:"comments"`
	}
}

type commentInput struct {
	CasePath
	Body struct {
		Comment    string `json:"comment" minLength:"1" maxLength:"4000" doc:"The comment: free text, line breaks allowed"`
		Visibility string `json:"visibility,omitempty" enum:"internal,partner" doc:"internal (staff only; the default for staff) or partner (the partner's members see it; the only choice for them)"`
	}
}

func commentOf(a store.Activity) caseComment {
	vis := "internal"
	if a.PartnerVisible {
		vis = commentVisibleToUs
	}
	return caseComment{ID: a.ID, Comment: a.Body, Visibility: vis, AuthorName: a.ActorName, AuthorRole: a.ActorRole, At: a.At.Format("2006-01-02T15:04:05.999999Z07:00")}
}

func (s *Server) commentRoutes() {
	register(s, huma.Operation{
		OperationID: "listCaseComments", Method: http.MethodGet, Path: "/v1/cases/{case_id}/comments", Tags: []string{"cases"},
		Summary:     "A case's comments",
		Description: "Oldest first. Staff read all of them; the partner's members only those meant for the partner.",
	}, readCaseComments, s.caseComments)
	register(s, huma.Operation{
		OperationID: "commentOnCase", Method: http.MethodPost, Path: "/v1/cases/{case_id}/comments", Tags: []string{"cases"},
		Summary:       "Comment on a case",
		Description:   "Staff write internal notes or comments the partner sees; the partner's members write comments staff and their partner see (visibility partner; internal is refused).",
		Errors:        []int{http.StatusBadRequest, http.StatusForbidden, http.StatusUnprocessableEntity},
		DefaultStatus: http.StatusCreated,
	}, commentOnCase, s.addComment)
}

func (s *Server) caseComments(ctx context.Context, in *CasePath) (*caseCommentsOutput, error) {
	row, err := s.visibleCase(ctx, in.CaseID, readCaseComments)
	if err != nil {
		return nil, err
	}
	activity, err := s.store.CaseActivity(ctx, row.ID, !principalOf(ctx).IsStaff())
	if err != nil {
		return nil, err
	}
	out := &caseCommentsOutput{}
	out.Body.Comments = []caseComment{}
	for _, a := range activity {
		if a.Type == "comment" {
			out.Body.Comments = append(out.Body.Comments, commentOf(a))
		}
	}
	return out, nil
}

func (s *Server) addComment(ctx context.Context, in *commentInput) (*bodyOf[caseComment], error) {
	row, err := s.visibleCase(ctx, in.CaseID, commentOnCase)
	if err != nil {
		return nil, err
	}
	p := principalOf(ctx)
	text := rules.NormalizeText(strings.TrimSpace(in.Body.Comment))
	var fields rules.FieldErrors
	if msg := rules.TextProblem(text, true); msg != "" {
		fields = append(fields, rules.FieldError{Field: "comment", Message: msg})
	} else if text == "" || utf8.RuneCountInString(text) > maxCommentRunes {
		fields = append(fields, rules.FieldError{Field: "comment", Message: "must hold 1 to 4000 characters"})
	}
	visibility := in.Body.Visibility
	switch {
	case visibility == "" && p.IsStaff():
		visibility = "internal"
	case visibility == "":
		visibility = commentVisibleToUs
	case visibility != "internal" && visibility != commentVisibleToUs:
		fields = append(fields, rules.FieldError{Field: "visibility", Message: "must be internal or partner"})
	case visibility == "internal" && !p.IsStaff():
		fields = append(fields, rules.FieldError{Field: "visibility", Message: "internal notes are the vendor staff's: the partner's members comment with visibility partner"})
	}
	if len(fields) > 0 {
		return nil, invalid(fields)
	}
	a, err := s.store.AddComment(ctx, row.ID, p.ID, text, visibility == commentVisibleToUs)
	if err != nil {
		return nil, err
	}
	return &bodyOf[caseComment]{Body: commentOf(a)}, nil
}
