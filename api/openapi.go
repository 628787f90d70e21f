package api

import (
	"encoding/json"
	"log/slog"
	"sync"
)

// OpenAPIDocument is the published contract of the API, in JSON: the
// document a server serves at /v1/openapi.json, generated from the
// registered operations (operations.go) and their Go types.
var OpenAPIDocument = sync.OnceValue(func() []byte {
	s := newServer(Deps{Logger: slog.New(slog.DiscardHandler)})
	return s.document()
})

// document builds this server's document once its routes are registered.
func (s *Server) document() []byte {
	s.documentOnce.Do(func() {
		doc, err := json.MarshalIndent(s.huma.OpenAPI(), "", "  ")
		if err != nil {
			panic(err) // the document is plain data: it always marshals
		}
		s.documentJSON = doc
	})
	return s.documentJSON
}
