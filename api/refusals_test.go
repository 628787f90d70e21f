package api

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"partnerops/cases"
	"partnerops/rules"
	"partnerops/store"
	"partnerops/workflows"
)

// storeErrors are the errors the store exports, read from its source: the
// messages of its sentinels (var ErrX = errors.New("…")) and the names of
// its error types (a method Error() string).
func storeErrors(t *testing.T) (sentinels map[string]string, types []string) {
	t.Helper()
	files, err := filepath.Glob("../store/*.go")
	if err != nil {
		t.Fatal(err)
	}
	sentinels = map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					vs, ok := spec.(*ast.ValueSpec)
					if !ok {
						continue
					}
					for i, id := range vs.Names {
						if !id.IsExported() || !strings.HasPrefix(id.Name, "Err") || i >= len(vs.Values) {
							continue
						}
						call, ok := vs.Values[i].(*ast.CallExpr)
						if !ok || len(call.Args) != 1 {
							t.Errorf("store.%s is not errors.New(\"…\"): the test cannot read it", id.Name)
							continue
						}
						lit, ok := call.Args[0].(*ast.BasicLit)
						if !ok {
							t.Errorf("store.%s has no literal message", id.Name)
							continue
						}
						msg, _ := strconv.Unquote(lit.Value)
						sentinels[id.Name] = msg
					}
				}
			case *ast.FuncDecl:
				if d.Name.Name != "Error" || d.Recv == nil || len(d.Recv.List) != 1 {
					continue
				}
				recv := d.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				if id, ok := recv.(*ast.Ident); ok && id.IsExported() {
					types = append(types, id.Name)
				}
			}
		}
	}
	if len(sentinels) == 0 || len(types) == 0 {
		t.Fatalf("read %d sentinels and %d error types from the store", len(sentinels), len(types))
	}
	return sentinels, types
}

// TestEveryStoreErrorHasAProblem walks the store's exported errors: each
// has its row in refusals, and answers a problem of its own, never a 500:
// a request's refusal a 4xx, the one a process meets when it starts
// (startOnly) a 503.
func TestEveryStoreErrorHasAProblem(t *testing.T) {
	startOnly := map[string]bool{"ErrPoolTooLarge": true}
	sentinels, types := storeErrors(t)
	for name, msg := range sentinels {
		found := false
		for _, r := range refusals {
			if r.sentinel == nil || r.sentinel.Error() != msg {
				continue
			}
			found = true
			if !startOnly[name] {
				checkRefusal(t, "store."+name, r.sentinel)
			} else if p := problemOf(context.Background(), slog.New(slog.DiscardHandler), r.sentinel, ""); p.Status != http.StatusServiceUnavailable {
				t.Errorf("store.%s answers %d, not 503", name, p.Status)
			}
		}
		if !found {
			t.Errorf("store.%s (%q) has no row in refusals: it would answer 500", name, msg)
		}
	}
	for _, name := range types {
		found := false
		for _, r := range refusals {
			if r.typ != nil && r.typ.Elem().Name() == name && r.typ.Elem().PkgPath() == "partnerops/store" {
				found = true
			}
		}
		if !found {
			t.Errorf("*store.%s has no row in refusals: it would answer 500", name)
		}
	}
}

// checkRefusal: the error, wrapped as the store wraps errors, answers a
// 4xx problem of its own.
func checkRefusal(t *testing.T, name string, err error) {
	t.Helper()
	p := problemOf(context.Background(), slog.New(slog.DiscardHandler), fmt.Errorf("store: %w", err), "")
	if p.Status < 400 || p.Status >= 500 || !strings.HasPrefix(p.Type, problemTypePrefix) || p.Detail == "" {
		t.Errorf("%s answers %d %s %q", name, p.Status, p.Type, p.Detail)
	}
}

// The typed errors answer their own problems, with what they carry.
func TestTypedStoreErrorsAnswerTheirProblems(t *testing.T) {
	for _, c := range []struct {
		err    error
		status int
		slug   string
		says   string
	}{
		// ops sharing a vendor opportunity with a partner that is leaving
		{&store.PartnerExitingError{Status: store.PartnerExiting, ExitCaseID: "cas_exit"}, http.StatusConflict, "partner-exiting", "cas_exit"},
		{&store.OpenCaseError{Kind: "certification", CaseID: "cas_open"}, http.StatusConflict, "case-open", "cas_open"},
		{&store.NotExitedError{ExitCaseID: "cas_exit"}, http.StatusConflict, "exit-required", "cas_exit"},
		{&store.DissociationBlocked{Blockers: []rules.DissociationBlocker{{Description: "order ord_1 waits", ClearedBy: "paying it"}}}, http.StatusConflict, "dissociation-blocked", "ord_1"},
		{&store.GroupError{Problem: "must be a primary"}, http.StatusUnprocessableEntity, "validation", ""},
		{&store.InsufficientBalanceError{Account: store.AccountPartner}, http.StatusConflict, "insufficient-balance", "the partner"},
	} {
		p := problemOf(context.Background(), slog.New(slog.DiscardHandler), fmt.Errorf("share: %w", c.err), "")
		if p.Status != c.status || p.Type != problemTypePrefix+c.slug || !strings.Contains(p.Detail+p.CaseID, c.says) {
			t.Errorf("%T answers %d %s %q (case %q)", c.err, p.Status, p.Type, p.Detail, p.CaseID)
		}
	}
}

// An action's refusal by its workflow (the update's validator), its step's
// failure, and an update that finds no workflow answer from the same
// table as the store's errors (before, only the action handler knew them:
// anywhere else they answered 500).
func TestEveryActionRefusalHasAProblem(t *testing.T) {
	fields := rules.FieldErrors{{Field: "reason", Message: "is required"}}
	for _, c := range []struct {
		err    error
		status int
		slug   string
	}{
		{temporal.NewNonRetryableApplicationError("ops may not apply", cases.RefusalForbidden, nil), http.StatusForbidden, "forbidden"},
		{temporal.NewNonRetryableApplicationError("cannot approve a case that is rejected", cases.RefusalConflict, nil), http.StatusConflict, "action-not-allowed"},
		{temporal.NewNonRetryableApplicationError("the action's input is invalid", cases.RefusalInvalid, nil, fields), http.StatusUnprocessableEntity, "validation"},
		{temporal.NewNonRetryableApplicationError("the partner's balance is short", workflows.RefusalInsufficientBalance, nil), http.StatusConflict, "insufficient-balance"},
		{temporal.NewNonRetryableApplicationError("the order is cancelled", "OrderNotPayable", nil), http.StatusConflict, "action-failed"},
		{serviceerror.NewNotFound("workflow not found"), http.StatusConflict, "case-closed"},
	} {
		p := problemOf(context.Background(), slog.New(slog.DiscardHandler), fmt.Errorf("update: %w", c.err), "")
		if p.Status != c.status || p.Type != problemTypePrefix+c.slug || p.Detail == "" {
			t.Errorf("%v answers %d %s %q", c.err, p.Status, p.Type, p.Detail)
		}
	}
	for kind := range actionRefusals {
		if p, ok := refusalOf(temporal.NewApplicationError("refused", kind)); !ok || p.Status < 400 || p.Status >= 500 {
			t.Errorf("the refusal %s answers %+v", kind, p)
		}
	}
}
