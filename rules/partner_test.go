package rules

import (
	"strings"
	"testing"
	"time"
)

func TestPartnerTypes(t *testing.T) {
	for _, tc := range []struct {
		typ       PartnerType
		valid     bool
		hasLevels bool
	}{
		{SolutionProvider, true, true},
		{CloudReseller, true, false},
		{SoftwarePartner, true, false},
		{ServicePartner, true, false},
		{LearningEnablementPartner, true, false},
		{DTCSIPartner, true, false},
		{"", false, false},
		{"astronaut", false, false},
		{"Solution_Provider", false, false},
	} {
		if got := tc.typ.Valid(); got != tc.valid {
			t.Errorf("%q.Valid() = %v", tc.typ, got)
		}
		if got := tc.typ.HasLevels(); got != tc.hasLevels {
			t.Errorf("%q.HasLevels() = %v", tc.typ, got)
		}
	}
	if n := len(PartnerTypes()); n != 6 {
		t.Errorf("%d partner types, want the six of the program", n)
	}
}

func TestPartnerLevels(t *testing.T) {
	for _, tc := range []struct {
		level     PartnerLevel
		valid     bool
		needsPlan bool
	}{
		{LevelCertified, true, false},
		{LevelPreferred, true, false},
		{LevelLeading, true, true},
		{"", false, false},
		{"gold", false, false},
		{"LEADING", false, false},
	} {
		if got := tc.level.Valid(); got != tc.valid {
			t.Errorf("%q.Valid() = %v", tc.level, got)
		}
		if got := tc.level.NeedsBusinessPlan(); got != tc.needsPlan {
			t.Errorf("%q.NeedsBusinessPlan() = %v", tc.level, got)
		}
	}
	for _, l := range StartingLevels() {
		if l == LevelLeading {
			t.Error("a new solution provider may start at leading")
		}
	}
}

func TestNewPartnerValidate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      NewPartner
		fields  string // the bad fields, in order
		message string // part of the level message, when there is one
	}{
		{"solution provider, certified", NewPartner{"Acme", SolutionProvider, LevelCertified}, "", ""},
		{"solution provider, preferred", NewPartner{"Acme", SolutionProvider, LevelPreferred}, "", ""},
		{"solution provider starting at leading", NewPartner{"Acme", SolutionProvider, LevelLeading}, "level", "level application"},
		{"solution provider without level", NewPartner{"Acme", SolutionProvider, ""}, "level", "required"},
		{"cloud reseller without level", NewPartner{"Nimbus", CloudReseller, ""}, "", ""},
		{"software partner", NewPartner{"Soft", SoftwarePartner, ""}, "", ""},
		{"service partner", NewPartner{"Serve", ServicePartner, ""}, "", ""},
		{"learning partner", NewPartner{"Learn", LearningEnablementPartner, ""}, "", ""},
		{"dtc si partner", NewPartner{"DTC", DTCSIPartner, ""}, "", ""},
		{"cloud reseller with a level", NewPartner{"Nimbus", CloudReseller, LevelPreferred}, "level", "only solution providers"},
		{"dtc si partner with a level", NewPartner{"DTC", DTCSIPartner, LevelCertified}, "level", "only solution providers"},
		{"unknown level", NewPartner{"Acme", SolutionProvider, "gold"}, "level", "must be one of"},
		{"unknown type", NewPartner{"Acme", "astronaut", ""}, "type", ""},
		{"unknown type, a level", NewPartner{"Acme", "astronaut", LevelCertified}, "type", ""},
		{"no type", NewPartner{"Acme", "", ""}, "type", ""},
		{"blank name", NewPartner{"   ", CloudReseller, ""}, "name", ""},
		{"name of 200 characters", NewPartner{strings.Repeat("伙", 200), CloudReseller, ""}, "", ""},
		{"name of 201 characters", NewPartner{strings.Repeat("伙", 201), CloudReseller, ""}, "name", ""},
		{"everything wrong", NewPartner{"", "astronaut", "gold"}, "name,type,level", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.in.Validate()
			if got := fieldNames(errs); got != tc.fields {
				t.Fatalf("bad fields %q, want %q (%v)", got, tc.fields, errs)
			}
			if tc.message != "" && !strings.Contains(errs[len(errs)-1].Message, tc.message) {
				t.Errorf("message %q lacks %q", errs[len(errs)-1].Message, tc.message)
			}
		})
	}
}

func fieldNames(errs FieldErrors) string {
	names := make([]string, len(errs))
	for i, e := range errs {
		names[i] = e.Field
	}
	return strings.Join(names, ",")
}

func TestBusinessPlanValidate(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-12-31 17:00 UTC is already 2027-01-01 01:00 in Shanghai: the
	// business year is 2027.
	now := time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC)
	good := func() BusinessPlanInput {
		return BusinessPlanInput{
			Year: 2027, RevenueTarget: &RevenueTarget{Amount: 500_000_000, Currency: "CNY"},
			SignedBy: " Zhang San ", SignedAt: "2026-12-31T16:30:00Z",
			DocumentURL: "https://files.example.com/plans/2027.pdf",
		}
	}
	for _, tc := range []struct {
		name   string
		change func(*BusinessPlanInput)
		fields string
	}{
		{"good", func(*BusinessPlanInput) {}, ""},
		{"next year", func(b *BusinessPlanInput) { b.Year = 2028 }, ""},
		{"last year (2026 is over in Shanghai)", func(b *BusinessPlanInput) { b.Year = 2026 }, "year"},
		{"two years ahead", func(b *BusinessPlanInput) { b.Year = 2029 }, "year"},
		{"no year", func(b *BusinessPlanInput) { b.Year = 0 }, "year"},
		{"no revenue target", func(b *BusinessPlanInput) { b.RevenueTarget = nil }, "revenue_target"},
		{"zero amount", func(b *BusinessPlanInput) { b.RevenueTarget.Amount = 0 }, "revenue_target.amount"},
		{"negative amount", func(b *BusinessPlanInput) { b.RevenueTarget.Amount = -1 }, "revenue_target.amount"},
		{"lower-case currency", func(b *BusinessPlanInput) { b.RevenueTarget.Currency = "cny" }, "revenue_target.currency"},
		{"no currency", func(b *BusinessPlanInput) { b.RevenueTarget.Currency = "" }, "revenue_target.currency"},
		{"long currency", func(b *BusinessPlanInput) { b.RevenueTarget.Currency = "CNYY" }, "revenue_target.currency"},
		{"no signer", func(b *BusinessPlanInput) { b.SignedBy = " " }, "signed_by"},
		{"signer of 100 characters", func(b *BusinessPlanInput) { b.SignedBy = strings.Repeat("张", 100) }, ""},
		{"signer of 101 characters", func(b *BusinessPlanInput) { b.SignedBy = strings.Repeat("张", 101) }, "signed_by"},
		{"signed just now", func(b *BusinessPlanInput) { b.SignedAt = "2027-01-01T01:00:00+08:00" }, ""},
		{"signed in the future", func(b *BusinessPlanInput) { b.SignedAt = "2027-01-01T01:00:01+08:00" }, "signed_at"},
		{"signed at a date only", func(b *BusinessPlanInput) { b.SignedAt = "2026-12-01" }, "signed_at"},
		{"not signed", func(b *BusinessPlanInput) { b.SignedAt = "" }, "signed_at"},
		{"http document", func(b *BusinessPlanInput) { b.DocumentURL = "http://files.example.com/p.pdf" }, "document_url"},
		{"relative document", func(b *BusinessPlanInput) { b.DocumentURL = "/plans/p.pdf" }, "document_url"},
		{"https without host", func(b *BusinessPlanInput) { b.DocumentURL = "https:///p.pdf" }, "document_url"},
		{"document with credentials", func(b *BusinessPlanInput) { b.DocumentURL = "https://u:p@files.example.com/p.pdf" }, "document_url"},
		{"document URL of 500 characters", func(b *BusinessPlanInput) {
			b.DocumentURL = "https://files.example.com/" + strings.Repeat("a", 500-len("https://files.example.com/"))
		}, ""},
		{"document URL of 501 characters", func(b *BusinessPlanInput) {
			b.DocumentURL = "https://files.example.com/" + strings.Repeat("a", 501-len("https://files.example.com/"))
		}, "document_url"},
		{"no document", func(b *BusinessPlanInput) { b.DocumentURL = "" }, "document_url"},
		{"everything wrong", func(b *BusinessPlanInput) {
			*b = BusinessPlanInput{Year: 1999, RevenueTarget: &RevenueTarget{Amount: 0, Currency: "yuan"},
				SignedAt: "tomorrow", DocumentURL: "ftp://x"}
		}, "year,revenue_target.amount,revenue_target.currency,signed_by,signed_at,document_url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := good()
			tc.change(&in)
			plan, errs := in.Validate(now, shanghai)
			if got := fieldNames(errs); got != tc.fields {
				t.Fatalf("bad fields %q, want %q (%v)", got, tc.fields, errs)
			}
			if tc.fields == "" && (plan.SignedBy != strings.TrimSpace(in.SignedBy) || plan.SignedAt.Location() != time.UTC ||
				plan.RevenueTarget != *in.RevenueTarget || plan.Year != in.Year) {
				t.Errorf("plan %+v from %+v", plan, in)
			}
		})
	}
	// In UTC the same instant is still 2026.
	if y := BusinessYear(now, time.UTC); y != 2026 {
		t.Errorf("BusinessYear in UTC = %d", y)
	}
}

func TestLevelApplicationValidate(t *testing.T) {
	for level, fields := range map[PartnerLevel]string{"leading": "", "certified": "", "": "level", "platinum": "level"} {
		if got := fieldNames(LevelApplicationInput{Level: level}.Validate()); got != fields {
			t.Errorf("level %q: bad fields %q, want %q", level, got, fields)
		}
	}
}

func TestLevelApplicationRefusal(t *testing.T) {
	sp := LevelApplicationState{Type: SolutionProvider, Level: LevelPreferred, CurrentBusinessYear: 2026}
	for _, tc := range []struct {
		name   string
		state  func(LevelApplicationState) LevelApplicationState
		wanted PartnerLevel
		code   string // "" when allowed
	}{
		{"leading with a plan", func(s LevelApplicationState) LevelApplicationState { s.HasCurrentYearPlan = true; return s }, LevelLeading, ""},
		{"leading without a plan", func(s LevelApplicationState) LevelApplicationState { return s }, LevelLeading, "business-plan-required"},
		{"certified needs no plan", func(s LevelApplicationState) LevelApplicationState {
			s.Level = LevelLeading
			return s
		}, LevelCertified, ""},
		{"the level held", func(s LevelApplicationState) LevelApplicationState { return s }, LevelPreferred, "level-already-held"},
		{"leading when leading", func(s LevelApplicationState) LevelApplicationState {
			s.Level, s.HasCurrentYearPlan = LevelLeading, true
			return s
		}, LevelLeading, "level-already-held"},
		{"one under review already", func(s LevelApplicationState) LevelApplicationState {
			s.SubmittedPending, s.HasCurrentYearPlan = true, true
			return s
		}, LevelLeading, "application-pending"},
		{"a cloud reseller", func(s LevelApplicationState) LevelApplicationState {
			s.Type, s.Level, s.HasCurrentYearPlan = CloudReseller, "", true
			return s
		}, LevelLeading, "no-levels"},
		{"a software partner", func(s LevelApplicationState) LevelApplicationState {
			s.Type, s.Level = SoftwarePartner, ""
			return s
		}, LevelCertified, "no-levels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := LevelApplicationRefusal(tc.state(sp), tc.wanted)
			switch {
			case tc.code == "" && r != nil:
				t.Fatalf("refused: %v", r)
			case tc.code != "" && (r == nil || r.Code != tc.code || r.Field != ""):
				t.Fatalf("refusal %+v, want a conflict %s", r, tc.code)
			}
			if tc.code == "business-plan-required" && !strings.Contains(r.Message, "2026") {
				t.Errorf("the refusal does not name the year: %s", r.Message)
			}
		})
	}
}

func TestMembershipRefusals(t *testing.T) {
	personal := MemberAccount{Exists: true, Role: "member"}
	associated := MemberAccount{Exists: true, Role: "member", PartnerID: "prt_a"}
	for _, tc := range []struct {
		name  string
		got   *PartnerRefusal
		code  string
		field string
	}{
		{"invite a personal account", InvitationRefusal(personal, false), "", ""},
		{"invite nobody", InvitationRefusal(MemberAccount{}, false), "not-a-personal-account", "principal_id"},
		{"invite an admin", InvitationRefusal(MemberAccount{Exists: true, Role: "admin", PartnerID: "prt_b"}, false), "not-a-personal-account", "principal_id"},
		{"invite staff", InvitationRefusal(MemberAccount{Exists: true, Role: "ops"}, false), "not-a-personal-account", "principal_id"},
		{"invite a customer", InvitationRefusal(MemberAccount{Exists: true, Role: "customer"}, false), "not-a-personal-account", "principal_id"},
		{"invite an associated account", InvitationRefusal(associated, false), "already-associated", ""},
		{"invite twice", InvitationRefusal(personal, true), "invitation-pending", ""},
		{"accept", AnswerRefusal(InvitationPending, personal, true), "", ""},
		{"decline", AnswerRefusal(InvitationPending, personal, false), "", ""},
		{"accept when associated", AnswerRefusal(InvitationPending, associated, true), "already-associated", ""},
		{"decline when associated", AnswerRefusal(InvitationPending, associated, false), "", ""},
		{"accept an accepted one", AnswerRefusal(InvitationAccepted, associated, true), "invitation-not-pending", ""},
		{"decline a declined one", AnswerRefusal(InvitationDeclined, personal, false), "invitation-not-pending", ""},
		{"remove a personal account", RemovalRefusal(associated), "", ""},
		{"remove the admin", RemovalRefusal(MemberAccount{Exists: true, Role: "admin", PartnerID: "prt_a"}), "cannot-remove-admin", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			switch {
			case tc.code == "" && tc.got != nil:
				t.Fatalf("refused: %+v", tc.got)
			case tc.code != "" && (tc.got == nil || tc.got.Code != tc.code || tc.got.Field != tc.field || tc.got.Message == ""):
				t.Fatalf("refusal %+v, want code %q field %q", tc.got, tc.code, tc.field)
			}
		})
	}
}

func TestInvitationInputValidate(t *testing.T) {
	for id, fields := range map[string]string{
		"prn_0190": "", "": "principal_id", "  ": "principal_id",
		strings.Repeat("x", 100): "", strings.Repeat("x", 101): "principal_id",
	} {
		if got := fieldNames(InvitationInput{PrincipalID: id}.Validate()); got != fields {
			t.Errorf("principal_id of %d characters: bad fields %q, want %q", len(id), got, fields)
		}
	}
}

func TestLevelDecisionProblems(t *testing.T) {
	for _, tc := range []struct {
		approve bool
		reason  string
		bad     bool
	}{
		{true, "", false},
		{true, "fine", false},
		{false, "The plan's revenue target is below the leading requirement", false},
		{false, "   ", true},
		{false, strings.Repeat("原", MaxDecisionReasonLength+1), true},
		{true, strings.Repeat("x", MaxDecisionReasonLength+1), true},
		{false, strings.Repeat("原", MaxDecisionReasonLength), false},
	} {
		if got := LevelDecisionProblems(tc.approve, tc.reason); (len(got) > 0) != tc.bad {
			t.Errorf("approve %v, reason of %d runes: %v", tc.approve, len([]rune(tc.reason)), got)
		}
	}
}
