package main

import (
	"strings"
	"testing"
)

// A second dev on a data folder in use stops in one line naming the
// setting; once the first lets go, the folder is free again.
func TestDataFolderIsLocked(t *testing.T) {
	dir := t.TempDir()
	release, err := lockDataDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockDataDir(dir); err == nil || !strings.Contains(err.Error(), "PARTNEROPS_DATA_DIR") || strings.Contains(err.Error(), "\n") {
		t.Errorf("a second lock on %s: %v", dir, err)
	}
	release()
	again, err := lockDataDir(dir)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again()
}
