package workflows_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"
	"google.golang.org/protobuf/encoding/protojson"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/rules"
	"partnerops/worker"
	"partnerops/workflows"
)

var recordHistories = flag.String("record-histories", "",
	"record the histories of the timer, needs_attention and continue-as-new paths into this folder (workflows/testdata)")

// TestRecordPathHistories records, on a Temporal server of its own (real
// timers, seconds long), the histories of paths the end-to-end walkthroughs
// do not take: a partner payment whose partner lets the window pass (the
// hand-back timer) and whose customer does not pay (the cancel timer); the
// same case continuing as new after each step (steps-per-run 1), both of
// its runs; a case whose first transition the database refuses for good
// (needs_attention); and an incentive settlement reminded, overdue at its
// deadline, reminded while overdue, then closed by ops (the overdue timers). TestReplayRecordedHistories replays them. It runs
// only with -record-histories (go test ./workflows -run
// TestRecordPathHistories -record-histories $PWD/workflows/testdata).
func TestRecordPathHistories(t *testing.T) {
	if *recordHistories == "" {
		t.Skip("records histories only with -record-histories")
	}
	ctx := context.Background()
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	c := ts.GetDefaultClient()
	if err := worker.EnsureSearchAttributes(ctx, c, ts.GetDefaultNamespace()); err != nil {
		t.Fatal(err)
	}
	const queue = "record-histories"
	w := sdkworker.New(c, queue, sdkworker.Options{})
	workflows.Register(w)
	w.RegisterActivityWithOptions(func(_ context.Context, tr cases.Transition) error {
		if tr.Case.ID == "cas_refused" && tr.Event.Type == "requested" {
			return temporal.NewNonRetryableApplicationError(`pq: invalid byte sequence for encoding "UTF8": 0x00`, activities.DataRefused, nil)
		}
		return nil
	}, activity.RegisterOptions{Name: "RecordTransition"})
	w.RegisterActivityWithOptions(func(_ context.Context, req activities.DueAtRequest) (time.Time, error) {
		return req.From.Add(2 * time.Second), nil // a deadline of seconds, whatever the policy
	}, activity.RegisterOptions{Name: "DueAt"})
	for _, name := range []string{"HandBackOrder", "CancelOrder"} {
		w.RegisterActivityWithOptions(func(context.Context, string) error { return nil }, activity.RegisterOptions{Name: name})
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	payment := func(id string, stepsPerRun int) workflows.PartnerPaymentInput {
		at := time.Now().UTC().Truncate(time.Microsecond)
		return workflows.PartnerPaymentInput{
			CaseID: id, OrderID: "ord_" + id, PartnerID: "prt_acme", CustomerID: "cus_blue",
			RequestedBy: cases.Actor{ID: "prn_customer", Role: cases.RoleCustomer, Name: "Blue Sky Retail"},
			Scenario:    rules.Renewal, Product: "ecs.c6.large, 1 year", Amount: rules.Money{Amount: 12_000, Currency: "CNY"},
			PlacedAt: at, PartnerDeadline: at.Add(2 * time.Second), OrderDeadline: at.Add(4 * time.Second),
			StepsPerRun: stepsPerRun,
		}
	}
	run := func(in workflows.PartnerPaymentInput) client.WorkflowRun {
		r, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: in.CaseID, TaskQueue: queue}, workflows.PartnerPaymentWorkflow, in)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	timers := run(payment("cas_timers", 0))
	continued := run(payment("cas_continued", 1))
	firstRunID := continued.GetRunID() // Get follows the chain of runs to the last
	refused := run(payment("cas_refused", 0))
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	workflows.UseZone(shanghai)
	amount := rules.Money{Amount: 106_000, Currency: "CNY"}
	ops := cases.Actor{ID: "prn_ops", Role: cases.RoleOps, Name: "Ops"}
	overdue, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "cas_overdue", TaskQueue: queue}, workflows.IncentiveSettlementWorkflow,
		workflows.IncentiveSettlementInput{
			CaseID: "cas_overdue", PartnerID: "prt_acme", PublishedBy: ops, Period: "2026-Q3", Amount: amount,
			Items:  []rules.IncentiveItem{{Name: "Q3 resale growth", Amount: &amount}},
			Vendor: rules.Party{Name: "Partnerops Cloud Computing Co., Ltd.", TaxID: "91330106MA2CFKQ72H"}, PublishedAt: time.Now().UTC(),
			IncentivePolicy: rules.IncentivePolicy{InvoiceDeadline: "10wd", RemindPercent: 50, OverdueReminder: time.Second},
			ReturnSLA:       "3wd", TimeZone: "Asia/Shanghai",
		})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3500 * time.Millisecond) // reminded, overdue, reminded again while overdue
	if _, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: overdue.GetID(), UpdateName: workflows.ActionClose, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{cases.ActionRequest{Actor: ops, Input: []byte(`{"reason":"The programme's budget was withdrawn"}`)}},
	}); err != nil {
		t.Fatal(err)
	}
	for r, want := range map[client.WorkflowRun]string{timers: workflows.PaymentCancelled, continued: workflows.PaymentCancelled,
		refused: workflows.StatusNeedsAttention, overdue: workflows.SettlementClosed} {
		var status string
		if err := r.Get(ctx, &status); err != nil || status != want {
			t.Fatalf("%s ended %s (%v), want %s", r.GetID(), status, err, want)
		}
	}
	save := func(workflowID, runID, name string) {
		iter := c.GetWorkflowHistory(ctx, workflowID, runID, false, 0)
		var history historypb.History
		for iter.HasNext() {
			e, err := iter.Next()
			if err != nil {
				t.Fatal(err)
			}
			history.Events = append(history.Events, e)
		}
		out, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(&history)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*recordHistories, name+".json"), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	save(timers.GetID(), timers.GetRunID(), "partner_payment_window_lapsed_then_cancelled")
	save(refused.GetID(), refused.GetRunID(), "partner_payment_needs_attention")
	save(overdue.GetID(), overdue.GetRunID(), "incentive_settlement_overdue_closed")
	save(continued.GetID(), firstRunID, "partner_payment_continued_as_new_first_run")
	save(continued.GetID(), "", "partner_payment_continued_as_new_last_run")
}
