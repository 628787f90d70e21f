package api

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

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

// page is the store's page for these parameters.
func (p PageParams) page() store.Page { return store.Page{Limit: p.Limit, Cursor: p.Cursor} }

// pageError names a cursor the store did not hand out; other errors pass.
func pageError(err error) error {
	if errors.Is(err, store.ErrBadCursor) {
		return invalid(rules.FieldErrors{badCursor})
	}
	return err
}

// badCursor names a cursor the store did not hand out.
var badCursor = rules.FieldError{Field: "cursor", Message: "is not a cursor this API handed out"}

// pageOf reads the page a list request asks for, adding its bad limit or
// cursor to bad (the list's other bad parameters).
func pageOf(c *fiber.Ctx, bad rules.FieldErrors) (store.Page, rules.FieldErrors) {
	p := store.Page{Limit: store.DefaultPageSize, Cursor: c.Query("cursor")}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxPageSize {
			bad = append(bad, rules.FieldError{Field: "limit", Message: fmt.Sprintf("must be a whole number from 1 to %d", store.MaxPageSize)})
		}
		p.Limit = n
	}
	if len(p.Cursor) > 512 {
		bad = append(bad, badCursor)
	}
	return p, bad
}

// readPage reads the page the request asks for with read: a 422 naming
// every bad parameter (bad holds the list's others), a cursor the store did
// not hand out included.
func readPage[T any](c *fiber.Ctx, bad rules.FieldErrors,
	read func(ctx context.Context, p store.Page) ([]T, string, error),
) ([]T, string, error) {
	p, bad := pageOf(c, bad)
	if len(bad) > 0 {
		return nil, "", invalid(bad)
	}
	rows, next, err := read(c.UserContext(), p)
	return rows, next, pageError(err)
}

// pageOfOne is readPage for the lists of one record's children (a
// partner's, a customer's), read by ID.
func pageOfOne[T any](c *fiber.Ctx, id string,
	read func(ctx context.Context, id string, p store.Page) ([]T, string, error),
) ([]T, string, error) {
	return readPage(c, nil, func(ctx context.Context, p store.Page) ([]T, string, error) { return read(ctx, id, p) })
}
