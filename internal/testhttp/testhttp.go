// Package testhttp reads HTTP answers in tests.
package testhttp

import (
	"io"
	"net/http"
	"testing"
)

// Get sends GET url and returns the answer's status and body.
func Get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}
