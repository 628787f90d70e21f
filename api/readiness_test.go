package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"partnerops/internal/testdb"
)

// temporalAway is a Temporal client whose frontend does not answer.
type temporalAway struct{ client.Client }

func (temporalAway) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	return nil, serviceerror.NewUnavailable("connection refused")
}

func (temporalAway) DescribeTaskQueue(context.Context, string, enumspb.TaskQueueType) (*workflowservice.DescribeTaskQueueResponse, error) {
	return nil, serviceerror.NewUnavailable("connection refused")
}

// With Temporal away /readyz answers 503 problem+json with Retry-After,
// naming Temporal as what is down and PostgreSQL as fine.
func TestReadyzNamesWhatIsDown(t *testing.T) {
	st, _ := testdb.New(t)
	app := New(Deps{Store: st, Temporal: temporalAway{}, Logger: slog.New(slog.DiscardHandler)})
	resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/readyz", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	var r Readiness
	_ = json.Unmarshal(raw, &r)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Content-Type") != "application/problem+json" ||
		resp.Header.Get("Retry-After") == "" || r.Status != 503 || !strings.Contains(r.Detail, "Temporal") ||
		strings.Contains(r.Detail, "PostgreSQL") || r.Checks.PostgreSQL != "ok" || r.Ready {
		t.Errorf("%d %s Retry-After %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Retry-After"), raw)
	}
}

// From 1 December, a next year the business calendar has no schedule of is
// a warning of /readyz, which stays ready on its account.
func TestReadyzWarnsOfAMissingNextYear(t *testing.T) {
	st, _ := testdb.New(t)
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	for _, tt := range []struct {
		now  time.Time
		want string
	}{
		{time.Date(2099, 11, 30, 12, 0, 0, 0, shanghai), ""},
		{time.Date(2099, 12, 1, 9, 0, 0, 0, shanghai), "no schedule of 2100"},
	} {
		app := New(Deps{Store: st, Temporal: temporalAway{}, Location: shanghai, Now: func() time.Time { return tt.now },
			Logger: slog.New(slog.DiscardHandler)})
		resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/readyz", nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		var r Readiness
		raw, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(raw, &r)
		switch {
		case tt.want == "" && len(r.Warnings) != 0:
			t.Errorf("%v: warnings %q", tt.now, r.Warnings)
		case tt.want != "" && (len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], tt.want)):
			t.Errorf("%v: warnings %q, want one saying %q", tt.now, r.Warnings, tt.want)
		}
	}
}
