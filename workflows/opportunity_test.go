package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"partnerops/activities"
	"partnerops/cases"
	"partnerops/rules"
)

// The opportunity tests run on the certification harness (its recorder,
// calendar, actions and queries), with the opportunity's workflow and
// activities added.

// oppHarness adds what the opportunity's activities saw.
type oppHarness struct {
	*certHarness
	duplicates []string                      // what the duplicate look-up answers
	settled    []activities.InvitationAnswer // the vendor opportunity's settlements
}

func newOppHarness(t *testing.T) *oppHarness {
	h := &oppHarness{certHarness: newCertHarness(t)}
	h.env.RegisterWorkflowWithOptions(Opportunity, workflow.RegisterOptions{Name: OpportunityWorkflow})
	h.env.RegisterActivityWithOptions(func(_ context.Context, req activities.OpportunityCheckRequest) (activities.OpportunityCheck, error) {
		return activities.OpportunityCheck{Findings: req.Opportunity.Check(req.At.In(shanghai)), Duplicates: h.duplicates}, nil
	}, activity.RegisterOptions{Name: "CheckOpportunity"})
	h.env.RegisterActivityWithOptions(func(_ context.Context, ans activities.InvitationAnswer) error {
		h.settled = append(h.settled, ans)
		return nil
	}, activity.RegisterOptions{Name: "SettleVendorOpportunity"})
	return h
}

func (h *oppHarness) run(in OpportunityInput) string {
	return h.runRefusingOnly(OpportunityWorkflow, in)
}

func (h *oppHarness) details(event string) OpportunityDetails {
	var d OpportunityDetails
	if err := json.Unmarshal(h.transition(event).Case.Details, &d); err != nil {
		h.t.Fatal(err)
	}
	return d
}

// refusals are the actions refused, by name.
func (h *oppHarness) refusals() []string {
	var names []string
	for _, o := range h.outcomes {
		if o.err != nil {
			names = append(names, o.action)
		}
	}
	return names
}

// validPO passes every rule on fridayAfternoon.
func validPO() rules.Opportunity {
	return rules.Opportunity{
		Customer:           rules.CustomerOfOpportunity{Name: "Lakeside Retail Co., Ltd.", Industry: "retail"},
		Contact:            &rules.CustomerContact{Name: "Li Wei", Email: "li.wei@lakeside.example"},
		Budget:             &rules.Money{Amount: 50_000_000, Currency: "CNY"},
		ExpectedStart:      "2027-01-15",
		ExpectedClose:      "2027-03-31",
		IncrementalRevenue: &rules.Money{Amount: 12_000_000, Currency: "CNY"},
		Incremental:        rules.MigrationFromAnotherCloud,
		BusinessNeed: rules.BusinessNeed{Category: rules.NeedCostReduction,
			Description: "Move the order platform off another cloud to cut hosting costs by a third."},
		NextAction: rules.NextAction{Description: "Architecture workshop with the IT team", DueDate: "2026-12-10"},
		Products:   []string{"ECS"},
	}
}

// vaguePO is well-formed but fails the contact and the description rules.
func vaguePO() rules.Opportunity {
	o := validPO()
	o.Contact = &rules.CustomerContact{Name: "TBD"}
	o.BusinessNeed.Description = "test"
	return o
}

func poInput(o rules.Opportunity) OpportunityInput {
	return OpportunityInput{CaseID: "cas_opp", PartnerID: "prt_acme", Origin: OriginPartner, Submitter: partnerActor,
		Opportunity: o, ReviewSLA: "2wd", CreatedAt: fridayAfternoon.UTC()}
}

// Two working days after Friday afternoon: the end of Tuesday.
var endOfTuesday = time.Date(2026, 12, 1, 23, 59, 59, 0, shanghai)

func TestOpportunityVagueFixedApprovedAndWon(t *testing.T) {
	h := newOppHarness(t)
	var partnerView cases.Case
	h.queryAt(30*time.Second, cases.RoleAdmin, &partnerView)
	h.at(time.Minute, ActionResubmit, partnerActor, vaguePO()) // still vague: a second round
	h.at(2*time.Minute, ActionResubmit, partnerActor, validPO())
	h.at(time.Hour, ActionApprove, opsActor, struct{}{})
	h.at(2*time.Hour, ActionAdvance, partnerActor, AdvanceInput{Stage: StageTechnicalValidation})
	h.at(150*time.Minute, ActionAdvance, partnerActor, AdvanceInput{Stage: StageCommitted}) // 422: skips business validation
	h.at(3*time.Hour, ActionAdvance, partnerActor, AdvanceInput{Stage: StageBusinessValidation})
	h.at(200*time.Minute, ActionAdvance, partnerActor, AdvanceInput{Stage: StageCommitted})
	h.at(4*time.Hour, ActionAdvance, partnerActor, AdvanceInput{Stage: StageWon})
	if status := h.run(poInput(vaguePO())); status != OpportunityWon {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "submitted/checking", "checks_failed/action_required", "resubmitted/checking",
		"checks_failed/action_required", "resubmitted/checking", "checks_passed/in_review", "approved/approved",
		"stage_changed/approved", "stage_changed/approved", "stage_changed/approved", "stage_changed/won")
	if got := h.refusals(); !slices.Equal(got, []string{ActionAdvance}) {
		t.Errorf("refused %v, want the advance that skips a stage", got)
	}
	if !slices.Equal(partnerView.Actions, []string{ActionResubmit, ActionWithdraw}) || partnerView.Status != OpportunityActionRequired {
		t.Errorf("the partner sees %s with %v", partnerView.Status, partnerView.Actions)
	}
	failed := h.transitions[1]
	if reasons, _ := failed.Event.Detail["reasons"].([]string); !slices.Equal(reasons,
		[]string{rules.ReasonNoCustomerContact, rules.ReasonVagueDescription}) {
		t.Errorf("the round's reasons %v", failed.Event.Detail["reasons"])
	}
	assertNotified(t, failed, cases.AudiencePartner)
	passed := h.transition("checks_passed")
	if passed.Case.SLA == nil || !passed.Case.SLA.DueAt.Equal(endOfTuesday) {
		t.Errorf("review due %v, want %v", passed.Case.SLA, endOfTuesday)
	}
	assertNotified(t, passed, cases.AudienceOps)
	if d := h.details("checks_passed"); d.Submissions != 3 || len(d.Findings) != 0 || d.LikelyDuplicate {
		t.Errorf("after the third submission: %+v", d)
	}
	if d := h.details("approved"); d.Stage != StageQualified || d.ApprovedAt == nil {
		t.Errorf("approved at stage %q", d.Stage)
	}
	won := h.transitions[len(h.transitions)-1]
	if won.Event.Detail["from"] != StageCommitted || won.Case.ClosedAt == nil {
		t.Errorf("won: %v, closed %v", won.Event.Detail, won.Case.ClosedAt)
	}
	assertNotified(t, won, cases.AudienceOps)
}

func TestOpportunityChangesRequestedThenRejected(t *testing.T) {
	h := newOppHarness(t)
	h.duplicates = []string{"cas_other"}
	h.at(time.Hour, ActionRequestChanges, opsActor, RequestChangesInput{ReasonCode: rules.ReasonVagueDescription, Comments: "Name the workloads that move"})
	h.at(2*time.Hour, ActionResubmit, partnerActor, validPO())
	h.at(3*time.Hour, ActionReject, opsActor, OpportunityRejectInput{ReasonCode: RejectCustomerEngagedByAnotherPartner, Reason: "Engaged with another partner since October"})
	if status := h.run(poInput(validPO())); status != OpportunityRejected {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "submitted/checking", "checks_passed/in_review", "changes_requested/action_required",
		"resubmitted/checking", "checks_passed/in_review", "rejected/rejected")
	if d := h.details("changes_requested"); d.ReviewComments != "Name the workloads that move" || !d.LikelyDuplicate ||
		d.ChangeReasonCode != rules.ReasonVagueDescription || d.FixBy == nil {
		t.Errorf("changes requested: %+v", d)
	}
	if n := h.transition("checks_passed").Notifications; len(n) != 1 || !strings.Contains(n[0].Message, "cas_other") {
		t.Errorf("ops are not told the likely duplicate: %v", n)
	}
	d := h.details("rejected")
	if d.Rejection == nil || d.Rejection.ReasonCode != RejectCustomerEngagedByAnotherPartner || h.transition("rejected").Case.ClosedAt == nil {
		t.Errorf("rejected: %+v", d.Rejection)
	}
}

func TestOpportunityReviewSLABreached(t *testing.T) {
	h := newOppHarness(t)
	var late cases.Case
	h.queryAt(5*24*time.Hour, cases.RoleSupervisor, &late)
	h.at(5*24*time.Hour+time.Hour, ActionApprove, opsActor, struct{}{})
	h.at(5*24*time.Hour+2*time.Hour, ActionAdvance, partnerActor, AdvanceInput{Stage: StageLost, LostReasonCode: "on_premises_deployment", LostReason: "The customer stayed on premises"})
	if status := h.run(poInput(validPO())); status != OpportunityLost {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "submitted/checking", "checks_passed/in_review", "sla_breached/in_review",
		"approved/approved", "stage_changed/lost")
	assertNotified(t, h.transition("sla_breached"), cases.AudienceSupervisor)
	if late.SLA == nil || !late.SLA.Breached {
		t.Errorf("after the deadline the case shows %v", late.SLA)
	}
	if d := h.details("stage_changed"); d.LostReason != "The customer stayed on premises" || d.LostReasonCode != "on_premises_deployment" {
		t.Errorf("lost reason %q", d.LostReason)
	}
}

func TestOpportunityRefusesBadAndOutOfTurnActions(t *testing.T) {
	h := newOppHarness(t)
	bad := validPO()
	bad.ExpectedClose = "next spring"
	h.at(time.Minute, ActionResubmit, partnerActor, validPO())                                                    // 409: in review
	h.at(2*time.Minute, ActionApprove, partnerActor, struct{}{})                                                  // 403: ops approve
	h.at(3*time.Minute, ActionReject, opsActor, OpportunityRejectInput{ReasonCode: "meh"})                        // 422: both fields
	h.at(210*time.Second, ActionRequestChanges, opsActor, RequestChangesInput{Comments: "Need the budget owner"}) // 422: no code
	h.at(4*time.Minute, ActionRequestChanges, opsActor, RequestChangesInput{ReasonCode: rules.ReasonNoBudgetOrTimeline, Comments: "Need the budget owner"})
	h.at(5*time.Minute, ActionResubmit, partnerActor, bad) // 422: malformed
	h.at(6*time.Minute, ActionResubmit, partnerActor, validPO())
	h.at(7*time.Minute, ActionApprove, opsActor, struct{}{})
	h.at(8*time.Minute, ActionAdvance, partnerActor, AdvanceInput{Stage: StageQualified})                      // 422: already
	h.at(9*time.Minute, ActionAdvance, partnerActor, AdvanceInput{Stage: StageLost, LostReason: "Budget cut"}) // 422: no code
	h.at(10*time.Minute, ActionAdvance, partnerActor, AdvanceInput{Stage: "closed", LostReason: "x"})          // 422
	h.at(11*time.Minute, ActionAccept, partnerActor, struct{}{})                                               // 409: not invited
	h.at(12*time.Minute, ActionAdvance, partnerActor, AdvanceInput{Stage: StageLost, LostReasonCode: "price", LostReason: "Budget cut"})
	if status := h.run(poInput(validPO())); status != OpportunityLost {
		t.Fatalf("status %s", status)
	}
	want := []string{ActionResubmit, ActionApprove, ActionReject, ActionRequestChanges, ActionResubmit, ActionAdvance, ActionAdvance, ActionAdvance, ActionAccept}
	if got := h.refusals(); !slices.Equal(got, want) {
		t.Errorf("refused %v, want %v", got, want)
	}
	for _, o := range h.outcomes {
		if o.action == ActionReject && o.err != nil && (!strings.Contains(o.err.Error(), cases.RefusalInvalid)) {
			t.Errorf("reject refused with %v", o.err)
		}
	}
	assertEvents(t, h.events(), "submitted/checking", "checks_passed/in_review", "changes_requested/action_required",
		"resubmitted/checking", "checks_passed/in_review", "approved/approved", "stage_changed/lost")
}

// invitationExpiry is how long the tests' invited partner has to answer.
const invitationExpiry = 7 * 24 * time.Hour

func invitationInput(expiry time.Duration) OpportunityInput {
	o := validPO()
	summary := o
	summary.Contact = nil
	return OpportunityInput{CaseID: "cas_inv", PartnerID: "prt_acme", Origin: OriginVendor, Submitter: opsActor,
		Opportunity: summary, Contact: o.Contact, VendorOpportunityID: "vop_1",
		InvitationExpiresAt: fridayAfternoon.UTC().Add(expiry), ReviewSLA: "2wd", CreatedAt: fridayAfternoon.UTC()}
}

func TestOpportunityInvitationAccepted(t *testing.T) {
	h := newOppHarness(t)
	var invited cases.Case
	h.queryAt(time.Minute, cases.RoleMember, &invited)
	h.at(time.Hour, ActionAccept, partnerActor, struct{}{})
	h.at(2*time.Hour, ActionAdvance, partnerActor, AdvanceInput{Stage: StageLost, LostReasonCode: "lost_to_competitor", LostReason: "Went elsewhere"})
	if status := h.run(invitationInput(invitationExpiry)); status != OpportunityLost {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "invited/invited", "accepted/approved", "stage_changed/lost")
	var before OpportunityDetails
	if err := json.Unmarshal(invited.Details, &before); err != nil || before.Opportunity.Contact != nil ||
		!slices.Equal(invited.Actions, []string{ActionAccept, ActionDeclineInvitation}) {
		t.Errorf("before accepting the partner sees the contact %v and actions %v (%v)", before.Opportunity.Contact, invited.Actions, err)
	}
	if d := h.details("accepted"); d.Opportunity.Contact == nil || d.Opportunity.Contact.Name != "Li Wei" || d.Stage != StageQualified {
		t.Errorf("after accepting: %+v", d)
	}
	if len(h.settled) != 1 || !h.settled[0].Accepted {
		t.Errorf("settled %+v", h.settled)
	}
	assertNotified(t, h.transition("invited"), cases.AudiencePartner)
	assertNotified(t, h.transition("accepted"), cases.AudienceOps)
}

func TestOpportunityInvitationDeclined(t *testing.T) {
	h := newOppHarness(t)
	h.at(time.Hour, ActionDeclineInvitation, partnerActor, DeclineInput{})
	h.at(2*time.Hour, ActionDeclineInvitation, partnerActor, DeclineInput{Reason: "No capacity in that region"})
	if status := h.run(invitationInput(invitationExpiry)); status != OpportunityDeclined {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "invited/invited", "declined/declined")
	if got := h.refusals(); !slices.Equal(got, []string{ActionDeclineInvitation}) {
		t.Errorf("refused %v: a decline needs a reason", got)
	}
	if len(h.settled) != 1 || h.settled[0].Accepted {
		t.Errorf("settled %+v", h.settled)
	}
	if d := h.details("declined"); d.DeclineReason != "No capacity in that region" || d.Opportunity.Contact != nil {
		t.Errorf("declined: %+v", d)
	}
	assertNotified(t, h.transition("declined"), cases.AudienceOps)
}

func TestOpportunityInvitationExpires(t *testing.T) {
	h := newOppHarness(t)
	h.at(invitationExpiry+time.Minute, ActionAccept, partnerActor, struct{}{})
	if status := h.run(invitationInput(invitationExpiry)); status != OpportunityExpired {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "invited/invited", "invitation_reminder/invited", "expired/expired")
	if d := h.details("invited"); d.InvitationReminderAt == nil || !d.InvitationReminderAt.Equal(fridayAfternoon.UTC().Add(invitationExpiry-24*time.Hour)) {
		t.Errorf("invited: reminder at %v, want a day before the expiry", d.InvitationReminderAt)
	}
	reminded := h.transition("invitation_reminder")
	if !reminded.Event.At.Equal(fridayAfternoon.UTC().Add(invitationExpiry - 24*time.Hour)) {
		t.Errorf("reminded at %v", reminded.Event.At)
	}
	if len(reminded.Notifications) != 1 || reminded.Notifications[0].Kind != "opportunity_invitation_expiring" ||
		reminded.Notifications[0].Audience != cases.AudiencePartner {
		t.Errorf("the reminder notifies %+v", reminded.Notifications)
	}
	if d := h.details("invitation_reminder"); d.InvitationReminderAt != nil {
		t.Errorf("reminded, the invitation still shows a reminder at %v", d.InvitationReminderAt)
	}
	expired := h.transition("expired")
	if !expired.Event.At.Equal(fridayAfternoon.UTC().Add(invitationExpiry)) {
		t.Errorf("expired at %v", expired.Event.At)
	}
	assertNotified(t, expired, cases.AudienceOps)
	assertNotified(t, expired, cases.AudiencePartner)
	if len(h.settled) != 1 || h.settled[0].Accepted {
		t.Errorf("settled %+v", h.settled)
	}
}

func TestOpportunityContinuesAsNew(t *testing.T) {
	h := newOppHarness(t)
	in := poInput(vaguePO())
	in.StepsPerRun = 3
	h.at(time.Minute, ActionResubmit, partnerActor, vaguePO())
	h.env.ExecuteWorkflow(OpportunityWorkflow, in)
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("the first run ended with %v, want continue-as-new", err)
	}
	var next OpportunityInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.Resume == nil || next.Resume.Status != OpportunityActionRequired || next.Resume.Seq != 4 ||
		next.Resume.Details.Submissions != 2 || len(next.Resume.Details.Findings) == 0 {
		t.Fatalf("carried %+v", next.Resume)
	}

	second := newOppHarness(t)
	second.env.SetStartTime(fridayAfternoon.Add(2 * time.Minute))
	second.at(time.Minute, ActionResubmit, partnerActor, validPO())
	second.at(time.Hour, ActionReject, opsActor, OpportunityRejectInput{ReasonCode: RejectOther, Reason: "Not in our market"})
	if status := second.run(next); status != OpportunityRejected {
		t.Fatalf("status %s", status)
	}
	if seq := second.transitions[0].Event.Seq; seq != 5 {
		t.Errorf("the second run starts at seq %d, want 5", seq)
	}
}

// Left unfixed, an action_required opportunity is reminded a working day
// before its fix window ends, then closes invalid with the rules it failed.
func TestOpportunityUnfixedClosesInvalid(t *testing.T) {
	h := newOppHarness(t)
	if status := h.run(poInput(vaguePO())); status != OpportunityInvalid {
		t.Fatalf("status %s", status)
	}
	assertEvents(t, h.events(), "submitted/checking", "checks_failed/action_required", "fix_reminder/action_required",
		"judged_invalid/invalid")
	fixBy := time.Date(2026, 12, 11, 23, 59, 59, 0, shanghai) // ten working days after Friday 27 November
	if d := h.details("checks_failed"); d.FixBy == nil || !d.FixBy.Equal(fixBy) {
		t.Errorf("fix by %v, want %v", d.FixBy, fixBy)
	}
	reminder := h.transition("fix_reminder")
	if !reminder.Event.At.Equal(fixBy.AddDate(0, 0, -1)) {
		t.Errorf("reminded at %v, want a working day before", reminder.Event.At)
	}
	assertNotified(t, reminder, cases.AudiencePartner)
	invalid := h.transition("judged_invalid")
	if !invalid.Event.At.Equal(fixBy) || invalid.Case.ClosedAt == nil ||
		!strings.Contains(invalid.Notifications[0].Message, rules.ReasonVagueDescription) {
		t.Errorf("judged invalid at %v (closed %v): %v", invalid.Event.At, invalid.Case.ClosedAt, invalid.Notifications)
	}
	assertNotified(t, invalid, cases.AudiencePartner)
}

// A resubmission inside the window stops its clock; the partner may
// withdraw before approval; ops may close one waiting for a fix, with a reason.
func TestOpportunityWithdrawnAndClosed(t *testing.T) {
	t.Run("withdrawn in review", func(t *testing.T) {
		h := newOppHarness(t)
		h.at(time.Minute, ActionResubmit, partnerActor, validPO())
		h.at(time.Hour, ActionWithdraw, partnerActor, ClosingInput{Reason: "The customer postponed"})
		h.at(2*time.Hour, ActionApprove, opsActor, struct{}{}) // 409: withdrawn
		if status := h.run(poInput(vaguePO())); status != OpportunityWithdrawn {
			t.Fatalf("status %s", status)
		}
		assertEvents(t, h.events(), "submitted/checking", "checks_failed/action_required", "resubmitted/checking",
			"checks_passed/in_review", "withdrawn/withdrawn")
		if d := h.details("withdrawn"); d.ClosingReason != "The customer postponed" || d.FixBy != nil {
			t.Errorf("withdrawn: %+v", d)
		}
		assertNotified(t, h.transition("withdrawn"), cases.AudienceOps)
	})
	t.Run("closed by ops", func(t *testing.T) {
		h := newOppHarness(t)
		h.at(time.Minute, ActionClose, opsActor, ClosingInput{})                  // 422: no reason
		h.at(2*time.Minute, ActionClose, partnerActor, ClosingInput{Reason: "x"}) // 403
		h.at(time.Hour, ActionClose, opsActor, ClosingInput{Reason: "Registered twice by mistake"})
		if status := h.run(poInput(vaguePO())); status != OpportunityClosed {
			t.Fatalf("status %s", status)
		}
		if got := h.refusals(); !slices.Equal(got, []string{ActionClose, ActionClose}) {
			t.Errorf("refused %v", got)
		}
		assertEvents(t, h.events(), "submitted/checking", "checks_failed/action_required", "closed/closed")
		assertNotified(t, h.transition("closed"), cases.AudiencePartner)
	})
}
