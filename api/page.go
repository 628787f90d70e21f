package api

import (
	"partnerops/rules"
	"partnerops/store"
)

// Every list answers one page at a time: limit (1 to store.MaxPageSize,
// default store.DefaultPageSize) rows, and next_cursor when another page
// follows, to pass back as cursor.

// PageParams are the limit and cursor every list takes; their bounds are
// store.MaxPageSize and store.DefaultPageSize (TestDeclaredBoundsAreTheConstants).
type PageParams struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"How many items at most"`
	Cursor string `query:"cursor" maxLength:"512" doc:"The next_cursor of the previous page"`
}

// NextPage is embedded in every list's answer: next_cursor, when another
// page follows.
type NextPage struct {
	NextCursor string `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page"`
}

// partnerPageInput and customerPageInput ask for a page of a list of one
// partner's or one customer's records.
type (
	partnerPageInput struct {
		PartnerPath
		PageParams
	}
	customerPageInput struct {
		CustomerPath
		PageParams
	}
)

// page is the store's page for these parameters.
func (p PageParams) page() store.Page { return store.Page{Limit: p.Limit, Cursor: p.Cursor} }

// badCursor names a cursor the store did not hand out.
var badCursor = rules.FieldError{Field: "cursor", Message: "is not a cursor this API handed out"}
