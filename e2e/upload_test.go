package e2e

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
)

// licenceScan is a business licence scan as the walk-through uploads it: a PDF by its bytes.
var licenceScan = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")

// upload attaches a file to a case as multipart/form-data, and checks the
// answer against the OpenAPI document as call does.
func (s *system) upload(caseID, token, name string, data []byte) response {
	s.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		s.t.Fatal(err)
	}
	_, _ = part.Write(data)
	_ = w.Close()
	req, err := http.NewRequest(http.MethodPost, s.baseURL+"/v1/cases/"+caseID+"/attachments", bytes.NewReader(body.Bytes()))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	s.contract.check(s.t, req, resp, respBody)
	return response{status: resp.StatusCode, header: resp.Header, body: respBody}
}
