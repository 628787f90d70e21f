package api

import (
	"errors"

	"partnerops/store"
)

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
