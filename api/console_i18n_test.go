package api

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"partnerops/present"
)

// Every message the console's pages and code ask for is in the message
// files (present's test keeps each in both languages): a page never shows
// a bare key.
func TestConsoleMessagesExist(t *testing.T) {
	asked := map[string]string{}
	templateKey := regexp.MustCompile(`\{\{-?\s*t "([^"]+)"`)
	err := fs.WalkDir(consoleTemplates, "console/templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(consoleTemplates, path)
		for _, m := range templateKey.FindAllStringSubmatch(string(raw), -1) {
			asked[m[1]] = path
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	codeKey := regexp.MustCompile(`\.T\("([^"]*[^".])"`) // not a prefix: "code." + a code
	sources, _ := filepath.Glob("*.go")
	for _, path := range sources {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range codeKey.FindAllStringSubmatch(string(raw), -1) {
			asked[m[1]] = path
		}
	}
	for _, id := range queueNames {
		asked[id] = "queueNames"
	}
	for _, id := range []string{"sign_in.expired", "sign_in.empty", "sign_in.unknown", "sign_in.customer"} {
		asked[id] = "renderSignIn"
	}
	if len(asked) < 50 {
		t.Fatalf("found only %d message ids", len(asked))
	}
	for id, where := range asked {
		for _, lang := range present.Languages {
			if !present.New(lang, nil).Has(id) {
				t.Errorf("%s asks for %q, which %s lacks", where, id, lang)
			}
		}
	}
}
