package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"

	"github.com/gofiber/fiber/v2"
)

// The published contract is kept as several OpenAPI files, one per area of
// the API (openapi/*.json): the first holds the document's head and the
// shared components, each other adds its paths and components. They are
// merged once at start; a path, method or component defined twice is an
// error.
//
//go:embed openapi/*.json
var openAPIFiles embed.FS

// OpenAPIDocument is the published contract of the API, in JSON.
var OpenAPIDocument = mustMergeOpenAPI(openAPIFiles)

func mustMergeOpenAPI(files fs.FS) []byte {
	doc, err := mergeOpenAPI(files)
	if err != nil {
		panic(err)
	}
	return doc
}

func mergeOpenAPI(files fs.FS) ([]byte, error) {
	names, err := fs.Glob(files, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var doc map[string]any
	for _, name := range names {
		raw, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, err
		}
		var part map[string]any
		if err := json.Unmarshal(raw, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if doc == nil {
			doc = part
			continue
		}
		if err := mergeInto(doc, part, name, 0); err != nil {
			return nil, err
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// mergeInto adds part's paths and components to doc. Below "paths" and
// "components" objects merge one level deeper (methods of a path, schemas of
// the components); anything defined on both sides is refused.
func mergeInto(doc, part map[string]any, file string, depth int) error {
	for key, value := range part {
		if depth == 0 && key != "paths" && key != "components" {
			continue // a fragment's own head (openapi, info) is only there to make it a valid file
		}
		existing, ok := doc[key]
		if !ok {
			doc[key] = value
			continue
		}
		inner, innerOK := existing.(map[string]any)
		add, addOK := value.(map[string]any)
		if !innerOK || !addOK || depth >= 2 {
			return fmt.Errorf("%s defines %q again", file, key)
		}
		if err := mergeInto(inner, add, file, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(OpenAPIDocument)
}
