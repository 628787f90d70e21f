package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"partnerops/internal/testkeys"
	"partnerops/store"
	"partnerops/webhooks"
)

// TestReplayRecordedHistories replays histories recorded from real runs
// (testdata/*.json; webhook_dispatcher_*.json are webhooks.Dispatcher's)
// against today's workflow code: a change that would break
// workflows already running fails here. Record a new history with
// `go test ./e2e -record-histories $PWD/workflows/testdata` when a workflow
// changes (it rewrites the files of the same names: keep the old ones under
// new names first, so the old paths keep being replayed). Every replay goes
// through the payload codec (historykeys), as the workers do: a history
// recorded since is encrypted, its data keys (wrapped by the tests' KEK)
// in testdata/keys/<name>.json; an older one is plain and passes through.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded histories in testdata (%v)", err)
	}
	encrypted := 0
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			keys := readRecordedKeys(t, filepath.Join("testdata", "keys", filepath.Base(file)))
			if len(keys) > 0 {
				encrypted++
			}
			replayer, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{
				DataConverter: testkeys.Keyring(keys).DataConverter(),
			})
			if err != nil {
				t.Fatal(err)
			}
			Register(replayer)
			replayer.RegisterWorkflowWithOptions(webhooks.Dispatcher, workflow.RegisterOptions{Name: webhooks.DispatcherWorkflow})
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Errorf("replaying %s: %v", file, err)
			}
		})
	}
	if encrypted == 0 {
		t.Error("no recorded history is encrypted (testdata/keys is empty)")
	}
}

// recordedKeys are the data keys saved with a recorded history (none for
// one recorded before the codec): a key store of the replay.
type recordedKeys map[string]store.HistoryKey

func readRecordedKeys(t *testing.T, path string) recordedKeys {
	keys := recordedKeys{}
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return keys
	}
	var list []store.HistoryKey
	if err == nil {
		err = json.Unmarshal(raw, &list)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range list {
		keys[k.ID] = k
	}
	return keys
}

// WorkflowPartner: a replay seals what it encodes under the system key
// (nothing it encodes is kept).
func (recordedKeys) WorkflowPartner(context.Context, string) (string, error) { return "", nil }

func (r recordedKeys) HistoryKey(_ context.Context, id string) (store.HistoryKey, error) {
	if k, ok := r[id]; ok {
		return k, nil
	}
	return store.HistoryKey{}, store.ErrNotFound
}

func (r recordedKeys) EnsureHistoryKey(_ context.Context, _ string, candidate store.HistoryKey) (store.HistoryKey, error) {
	if k, ok := r[store.SystemHistoryKey]; ok {
		return k, nil
	}
	r[candidate.ID] = candidate
	return candidate, nil
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
		{
			// the run's bound on its steps ignored: the history continues as new there
			name: "continue-as-new dropped", history: "testdata/partner_payment_continued_as_new_first_run.json", workflow: PartnerPaymentWorkflow,
			variant: func(ctx workflow.Context, in PartnerPaymentInput) (string, error) {
				in.StepsPerRun = defaultStepsPerRun
				return PartnerPayment(ctx, in)
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
