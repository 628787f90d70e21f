package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
)

// TestReplayRecordedHistories replays histories recorded from real runs
// (testdata/*.json) against today's workflow code: a change that would break
// workflows already running fails here. Record a new history with
// `go test ./e2e -record-histories $PWD/workflows/testdata` when a workflow
// changes (it rewrites the files of the same names: keep the old ones under
// new names first, so the old paths keep being replayed).
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded histories in testdata (%v)", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			Register(replayer)
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Errorf("replaying %s: %v", file, err)
			}
		})
	}
}
