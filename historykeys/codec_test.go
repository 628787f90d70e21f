package historykeys_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	_ "github.com/lib/pq"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"partnerops/historykeys"
	"partnerops/internal/testdb"
	"partnerops/store"
)

const (
	kekA = "qDkzdUkdIzn+goPxeaIxNPa1tphYbAtUh8Y7brjwnzc="
	kekB = "0X9r3JrOJ7Fw0lJtYvU5b7pR8o1y0P4b6x0XrJ0d6kQ="
)

func kek(t testing.TB, b64 string) historykeys.KEK {
	t.Helper()
	k, err := historykeys.ParseKEK(b64)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// partnerCase records a case of a new partner, whose workflow ID is the case's ID.
func partnerCase(t *testing.T, st *store.Store, db *sql.DB, name string) (caseID, partnerID string) {
	t.Helper()
	p, err := st.CreatePartner(context.Background(), name, "solution_provider", "")
	if err != nil {
		t.Fatal(err)
	}
	caseID = store.NewID("cas")
	if _, err := db.Exec(`INSERT INTO cases (id, kind, partner_id, status, workflow_id, created_at, updated_at)
		VALUES ($1, 'certification', $2, 'checking', $1, now(), now())`, caseID, p.ID); err != nil {
		t.Fatal(err)
	}
	return caseID, p.ID
}

// encode converts v for the workflow as the SDK does for a workflow's payloads.
func encode(t *testing.T, dc converter.DataConverter, workflowID string, v any) *commonpb.Payload {
	t.Helper()
	p, err := converter.WithDataConverterSerializationContext(dc, converter.WorkflowSerializationContext{WorkflowID: workflowID}).ToPayload(v)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// open is a fresh database, and a plain connection to it for what the store does not do.
func open(t *testing.T) (*store.Store, *sql.DB) {
	st, url := testdb.New(t)
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return st, db
}

func keyID(p *commonpb.Payload) string { return string(p.Metadata["encryption-key-id"]) }

// TestCodecSealsEachPartnersPayloadsUnderItsKey: a case's payloads are
// sealed under its partner's data key (its name is nowhere in them), a
// workflow of no partner under the system key, and the plain payloads of
// histories recorded before the codec pass through.
func TestCodecSealsEachPartnersPayloadsUnderItsKey(t *testing.T) {
	st, db := open(t)
	dc := historykeys.NewKeyring(st, kek(t, kekA)).DataConverter()
	caseA, partnerA := partnerCase(t, st, db, "Acme")
	caseB, _ := partnerCase(t, st, db, "Nimbus")

	a := encode(t, dc, caseA, map[string]string{"contact": "Li Si"})
	again := encode(t, dc, caseA, "another")
	b := encode(t, dc, caseB, "Nimbus's")
	system := encode(t, dc, "partnerops-sweep", "no partner")
	if strings.Contains(string(a.Data), "Li Si") || string(a.Metadata["encoding"]) != "binary/encrypted" {
		t.Errorf("the payload is not sealed: %s %q", a.Metadata, a.Data)
	}
	if keyID(a) == "" || keyID(a) != keyID(again) || keyID(a) == keyID(b) || keyID(system) != store.SystemHistoryKey {
		t.Errorf("key IDs %s, %s, %s, %s: want one per partner and the system key", keyID(a), keyID(again), keyID(b), keyID(system))
	}
	key, err := st.HistoryKey(context.Background(), keyID(a))
	if err != nil || key.PartnerID == nil || *key.PartnerID != partnerA {
		t.Errorf("key %s is %+v (%v), want partner %s's", keyID(a), key, err, partnerA)
	}

	// another process, with the KEK only, reads them
	fresh := historykeys.NewKeyring(st, kek(t, kekA)).DataConverter()
	var got map[string]string
	if err := fresh.FromPayload(a, &got); err != nil || got["contact"] != "Li Si" {
		t.Errorf("decoded %v (%v)", got, err)
	}
	plain, err := converter.GetDefaultDataConverter().ToPayload("recorded before the codec")
	if err != nil {
		t.Fatal(err)
	}
	var s string
	if err := fresh.FromPayload(plain, &s); err != nil || s != "recorded before the codec" {
		t.Errorf("a plain payload: %q (%v)", s, err)
	}
	// with another KEK, nothing
	if err := historykeys.NewKeyring(st, kek(t, kekB)).DataConverter().FromPayload(a, &got); err == nil || !strings.Contains(err.Error(), "PARTNEROPS_HISTORY_OLD_KEKS") {
		t.Errorf("decoding under another KEK: %v", err)
	}
	// a destroyed key: ErrShredded
	if _, err := db.Exec(`DELETE FROM history_keys WHERE id = $1`, keyID(a)); err != nil {
		t.Fatal(err)
	}
	if err := historykeys.NewKeyring(st, kek(t, kekA)).DataConverter().FromPayload(a, &got); !errors.Is(err, historykeys.ErrShredded) {
		t.Errorf("decoding under a destroyed key: %v", err)
	}
}

// TestRewrapAfterARotation: after the KEK is rotated (the old one listed
// as old), the keys are read still; rewrap moves them all under the new
// one, after which the old KEK is not needed.
func TestRewrapAfterARotation(t *testing.T) {
	st, db := open(t)
	caseA, _ := partnerCase(t, st, db, "Acme")
	p := encode(t, historykeys.NewKeyring(st, kek(t, kekA)).DataConverter(), caseA, "Li Si")
	_ = encode(t, historykeys.NewKeyring(st, kek(t, kekA)).DataConverter(), "", "system")

	rotated := historykeys.NewKeyring(st, kek(t, kekB), kek(t, kekA))
	var s string
	if err := rotated.DataConverter().FromPayload(p, &s); err != nil || s != "Li Si" {
		t.Errorf("read under the old KEK listed as old: %q (%v)", s, err)
	}
	n, err := rotated.Rewrap(context.Background(), st)
	if err != nil || n != 2 {
		t.Errorf("rewrapped %d (%v), want the partner's key and the system key", n, err)
	}
	if n, err := rotated.Rewrap(context.Background(), st); err != nil || n != 0 {
		t.Errorf("rewrapped %d again (%v)", n, err)
	}
	if err := historykeys.NewKeyring(st, kek(t, kekB)).DataConverter().FromPayload(p, &s); err != nil || s != "Li Si" {
		t.Errorf("read under the new KEK alone: %q (%v)", s, err)
	}
}

// BenchmarkCodec is the cost of a payload of a case's input (about 500
// bytes of JSON) converted and back, plain and through the codec (its key
// cached: sealed, then opened).
//
//	go test -run '^$' -bench BenchmarkCodec ./historykeys
func BenchmarkCodec(b *testing.B) {
	st, _ := testdb.New(b)
	dc := historykeys.NewKeyring(st, kek(b, kekA)).DataConverter()
	caseID := "cas_bench"
	in := map[string]any{"case_id": caseID, "business_info": map[string]any{
		"company_name": "Acme Solutions Ltd", "certificate_number": "91350100M000100Y43", "legal_representative": "Zhang San",
		"address": "1 Cloud Road, Hangzhou", "contact": map[string]any{"name": "Li Si", "phone": "+86 138 0000 0000", "email": "li.si@acme.example"},
	}, "submitter": map[string]any{"id": "prn_01a25375-748c-7b95-a793-090cf327c870", "role": "admin", "name": "Acme admin"}}
	for _, c := range []struct {
		name string
		dc   converter.DataConverter
	}{{"json", converter.GetDefaultDataConverter()}, {"json+codec", dc}} {
		b.Run(c.name, func(b *testing.B) {
			ctx := converter.WithDataConverterSerializationContext(c.dc, converter.WorkflowSerializationContext{WorkflowID: caseID})
			var out map[string]any
			for b.Loop() {
				p, err := ctx.ToPayload(in)
				if err != nil {
					b.Fatal(err)
				}
				if err := ctx.FromPayload(p, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
