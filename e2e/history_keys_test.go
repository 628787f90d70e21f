package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"partnerops/cases"
	"partnerops/historykeys"
	"partnerops/internal/testkeys"
	"partnerops/rules"
	"partnerops/workflows"
)

// rawHistory is a workflow's history as Temporal keeps it, without the
// codec: every event, its payloads as stored.
func (s *system) rawHistory(workflowID string) []*historypb.HistoryEvent {
	s.t.Helper()
	var events []*historypb.HistoryEvent
	it := s.temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			s.t.Fatal(err)
		}
		events = append(events, e)
	}
	return events
}

// plainText names the strings of personal data found in the history's
// stored bytes.
func plainText(t *testing.T, events []*historypb.HistoryEvent, personal []string) []string {
	t.Helper()
	var raw []byte
	for _, e := range events {
		b, err := proto.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	var found []string
	for _, p := range personal {
		if bytes.Contains(raw, []byte(p)) {
			found = append(found, p)
		}
	}
	return found
}

// decodeWithCodecEndpoint posts payloads to the API's codec endpoint (the
// Temporal Web UI's protocol) with the token.
func (s *system) decodeWithCodecEndpoint(token string, payloads []*commonpb.Payload) (int, []byte) {
	s.t.Helper()
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: payloads})
	if err != nil {
		s.t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", s.baseURL+"/console/codec/decode", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Namespace", "default")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// TestPersonalDataShreddedFromHistories: a partner's personal data (its
// certification's contact and legal representative) is in its cases'
// Temporal histories only encrypted, under its data key; staff read it
// through the codec endpoint the Web UI uses (partners may not); after
// the partner exits and is deregistered, its key is gone: the histories
// hold no plain name, phone or e-mail and nobody can decrypt them, while
// the ledger and the (anonymised) case rows are still served.
func TestPersonalDataShreddedFromHistories(t *testing.T) {
	s := startSystem(t, "3wd")
	reg := decode[struct {
		Partner struct{ ID string }
		Admin   struct{ Token string }
	}](t, s.call("POST", "/v1/partners", s.ops, map[string]any{"name": "Harbor Learning", "type": "learning_enablement_partner"}).expect(t, 201))
	partner, admin := reg.Partner.ID, reg.Admin.Token
	personal := []string{"Mei Lin", "+86 139 2468 1357", "mei.lin@harbor.example", "Qian Qi"}
	info := businessInfo(rules.WithUSCCCheck(fmt.Sprintf("9133%013d", rand.Int64N(1e13))))
	info["company_name"] = "Harbor Learning Ltd"
	info["legal_representative"] = "Qian Qi"
	info["contact"] = map[string]any{"name": "Mei Lin", "phone": "+86 139 2468 1357", "email": "mei.lin@harbor.example"}
	cert := decode[cases.Case](t, s.submit(admin, partner, info).expect(t, 202))
	s.waitForCase(s.ops, cert.ID, hasStatus(workflows.CertificationInReview))

	// Live: the history holds the data only sealed; staff decode it through the codec endpoint.
	history := s.rawHistory(cert.ID)
	if found := plainText(t, history, personal); len(found) > 0 {
		t.Errorf("the live history holds %q in plain text", found)
	}
	input := history[0].GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()
	if len(input) == 0 || string(input[0].Metadata[converter.MetadataEncoding]) != "binary/encrypted" {
		t.Fatalf("the workflow's input is not encrypted: %v", input)
	}
	status, decoded := s.decodeWithCodecEndpoint(s.ops, input)
	if status != 200 {
		t.Fatalf("ops decoding: %d %s", status, decoded)
	}
	var plain commonpb.Payloads
	if err := protojson.Unmarshal(decoded, &plain); err != nil || len(plain.Payloads) != 1 || !bytes.Contains(plain.Payloads[0].Data, []byte("mei.lin@harbor.example")) {
		t.Errorf("ops decoded %s (%v)", decoded, err)
	}
	for _, who := range []struct {
		token  string
		status int
	}{{"", 401}, {admin, 403}, {s.customA, 403}, {"po_unknown", 401}} {
		if status, body := s.decodeWithCodecEndpoint(who.token, input); status != who.status {
			t.Errorf("decoding with token %q: %d %s, want %d", who.token, status, body, who.status)
		}
	}
	s.call("POST", "/v1/cases/"+cert.ID+"/actions/approve", s.ops, nil).expect(t, 200)
	s.waitForCase(s.ops, cert.ID, hasStatus(workflows.CertificationCertified))
	s.recordHistory(cert.ID, "certification_encrypted")

	// The partner exits (nothing open: cooling-off, ops confirm) and is deregistered.
	exit := decode[cases.Case](t, s.call("POST", "/v1/partners/"+partner+"/exit", admin, map[string]any{"reason": "Closing the business"}).expect(t, 202))
	s.waitForCase(s.ops, exit.ID, hasStatus(workflows.ExitAwaitingOps))
	s.call("POST", "/v1/cases/"+exit.ID+"/actions/confirm", s.ops, nil).expect(t, 200)
	s.call("POST", "/v1/partners/"+partner+"/deregistration", admin, nil).expect(t, 200)

	// Its histories: no plain name, phone or e-mail, and no key opens them any more.
	fresh := testkeys.Keyring(s.store).DataConverter() // a process that has cached nothing
	for _, id := range []string{cert.ID, exit.ID} {
		history := s.rawHistory(id)
		if found := plainText(t, history, personal); len(found) > 0 {
			t.Errorf("case %s's history holds %q in plain text after deregistration", id, found)
		}
		input := history[0].GetWorkflowExecutionStartedEventAttributes().GetInput()
		var v any
		if err := fresh.FromPayloads(input, &v); !errors.Is(err, historykeys.ErrShredded) {
			t.Errorf("case %s's input decoded after deregistration: %v (%v)", id, v, err)
		}
	}
	// The API that deregistered it (and had decoded for ops above) decodes no more: a refusal, not a crash.
	if status, body := s.decodeWithCodecEndpoint(s.ops, input); status != 400 || !strings.Contains(string(body), "destroyed") {
		t.Errorf("ops decoding after deregistration: %d %s", status, body)
	}
	// The records stay, read from the read model: the cases (anonymised) and the ledger.
	got := decode[cases.Case](t, s.call("GET", "/v1/cases/"+cert.ID, s.ops, nil).expect(t, 200))
	if got.Live || strings.Contains(string(got.Details), "Mei Lin") || got.Status != workflows.CertificationCertified {
		t.Errorf("the certification after deregistration: live %v, %s, %s", got.Live, got.Status, got.Details)
	}
	s.call("GET", "/v1/cases/"+exit.ID, s.ops, nil).expect(t, 200)
	s.call("GET", "/v1/partners/"+partner+"/ledger", s.ops, nil).expect(t, 200)
}
