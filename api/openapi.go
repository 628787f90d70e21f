package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"sync"
)

// The published document is generated from the registered operations
// (operations.go), merged with the areas not yet converted, which are still
// described by hand in openapi/*.json: each adds its paths and components.
// A path, method or component defined twice is an error. Converting an area
// deletes its file.
//
//go:embed openapi/*.json
var openAPIFiles embed.FS

// OpenAPIDocument is the published contract of the API, in JSON: the
// document a server serves at /v1/openapi.json.
var OpenAPIDocument = sync.OnceValue(func() []byte {
	s := newServer(Deps{Logger: slog.New(slog.DiscardHandler)})
	return s.document()
})

// document builds this server's document once its routes are registered.
func (s *Server) document() []byte {
	s.documentOnce.Do(func() {
		generated, err := json.Marshal(s.huma.OpenAPI())
		if err == nil {
			s.documentJSON, err = mergeOpenAPI(generated, openAPIFiles)
		}
		if err != nil {
			panic(err)
		}
	})
	return s.documentJSON
}

// mergeOpenAPI adds the paths and components of every file to the
// generated document.
func mergeOpenAPI(generated []byte, files fs.FS) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(generated, &doc); err != nil {
		return nil, err
	}
	names, err := fs.Glob(files, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		raw, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, err
		}
		var part map[string]any
		if err := json.Unmarshal(raw, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
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
