package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDataDir holds dir for this dev process: a second dev on the same
// folder (whose embedded Temporal server would share the SQLite file and
// fail with SQLITE_BUSY) stops at once, in one line. The lock is released
// when the process ends, however it ends; release lets it go earlier.
func lockDataDir(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data folder %s (PARTNEROPS_DATA_DIR or --data-dir): %w", dir, err)
	}
	path := filepath.Join(dir, "dev.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("data folder %s (PARTNEROPS_DATA_DIR or --data-dir): %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another partnerops dev is using the data folder %s: stop it, or give this one its own folder (PARTNEROPS_DATA_DIR or --data-dir) and ports", dir)
		}
		return nil, fmt.Errorf("lock the data folder %s: %w", path, err)
	}
	return func() { _ = f.Close() }, nil
}
