package workflows

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"partnerops/webhooks"
)

// TestReplayRecordedHistories replays histories recorded from real runs
// (testdata/*.json; webhook_dispatcher_*.json are webhooks.Dispatcher's)
// against today's workflow code: a change that would break
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
			replayer.RegisterWorkflowWithOptions(webhooks.Dispatcher, workflow.RegisterOptions{Name: webhooks.DispatcherWorkflow})
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Errorf("replaying %s: %v", file, err)
			}
		})
	}
}

// TestReplayCatchesANonDeterministicChange replays recorded histories
// against deliberately changed workflows registered under the same names:
// each change must fail the replay, or the replay test above would let a
// breaking change through.
func TestReplayCatchesANonDeterministicChange(t *testing.T) {
	for _, tc := range []struct {
		name, history, workflow string
		variant                 any
	}{
		{
			// a timer before the first step: the history has none there
			name: "a timer added first", history: "testdata/certification_walkthrough.json", workflow: CertificationWorkflow,
			variant: func(ctx workflow.Context, in CertificationInput) (string, error) {
				if err := workflow.Sleep(ctx, time.Minute); err != nil {
					return "", err
				}
				return Certification(ctx, in)
			},
		},
		{
			// the payment's steps dropped: the history has them
			name: "the steps dropped", history: "testdata/partner_payment_top_up_approved.json", workflow: PartnerPaymentWorkflow,
			variant: func(workflow.Context, PartnerPaymentInput) (string, error) {
				return PaymentPaidByPartner, nil
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterWorkflowWithOptions(tc.variant, workflow.RegisterOptions{Name: tc.workflow})
			quiet := log.NewStructuredLogger(slog.New(slog.DiscardHandler)) // the SDK logs the panic it turns into the error
			err := replayer.ReplayWorkflowHistoryFromJSONFile(quiet, tc.history)
			if err == nil {
				t.Fatalf("the changed %s replays %s without complaint", tc.workflow, tc.history)
			}
			if !strings.Contains(strings.ToLower(err.Error()), "nondeterministic") {
				t.Errorf("the replay failed, but not for non-determinism: %v", err)
			}
		})
	}
}
