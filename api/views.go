package api

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"partnerops/store"
)

// answerList answers a page of a list read from the store as
// {"<key>": [views], "next_cursor": next}, each row shown through view and
// next_cursor only when another page follows; a failed read is the error.
func answerList[T, V any](c *fiber.Ctx, key string, rows []T, next string, err error, view func(T) V) error {
	if err != nil {
		return err
	}
	answer := fiber.Map{key: viewsOf(rows, view)}
	if next != "" {
		answer["next_cursor"] = next
	}
	return c.JSON(answer)
}

// viewsOf shows every row through view; an empty list stays a list in JSON.
func viewsOf[T, V any](rows []T, view func(T) V) []V {
	views := make([]V, len(rows))
	for i, r := range rows {
		views[i] = view(r)
	}
	return views
}

// asIs is the view of a row the API shows as the store reads it.
func asIs[T any](row T) T { return row }

// answerOne answers one record read from the store through view; a record
// that does not exist (or is not the caller's) is a 404 naming what.
func answerOne[T, V any](c *fiber.Ctx, what string, row T, err error, view func(T) V) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound(what)
	}
	if err != nil {
		return err
	}
	return c.JSON(view(row))
}

// bodyOf is the answer of a Huma operation whose body is one V.
type bodyOf[V any] struct{ Body V }

// one answers a record read from the store through view; a record that
// does not exist (or is not under the path's parent) is a 404 naming what.
func one[T, V any](what string, row T, err error, view func(T) V) (*bodyOf[V], error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(what)
	}
	if err != nil {
		return nil, err
	}
	return &bodyOf[V]{Body: view(row)}, nil
}
