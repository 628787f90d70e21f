package api

import "github.com/gofiber/fiber/v2"

// answerList answers a list read from the store as {"<key>": [views]}, each
// row shown through view; a failed read is the error.
func answerList[T, V any](c *fiber.Ctx, key string, rows []T, err error, view func(T) V) error {
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{key: viewsOf(rows, view)})
}

// viewsOf shows every row through view; an empty list stays a list in JSON.
func viewsOf[T, V any](rows []T, view func(T) V) []V {
	views := make([]V, len(rows))
	for i, r := range rows {
		views[i] = view(r)
	}
	return views
}
