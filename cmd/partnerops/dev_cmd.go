package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"partnerops/api"
	"partnerops/config"
	"partnerops/demo"
	"partnerops/devdb"
	"partnerops/devtemporal"
	"partnerops/store"
	"partnerops/telemetry"
)

type devCmd struct {
	config.Database `embed:""`
	config.Temporal `embed:""`
	config.Policy   `embed:""`
	config.HTTP     `embed:""`
	config.Log      `embed:""`
	config.Dev      `embed:""`
	config.Webhooks `embed:""`
	config.History  `embed:""`
}

func (c *devCmd) Run() error {
	ctx, stop := signalContext()
	defer stop()
	logger := newLogger(c.Log)
	loc, err := checkPolicy(c.Policy)
	if err != nil {
		return err
	}
	release, err := lockDataDir(c.DataDir)
	if err != nil {
		return err
	}
	defer release()
	// Every port is bound (or checked free) before anything starts or is
	// printed: a port taken is one line, not a half-started system.
	ln, err := listenHTTP(c.HTTP)
	if err != nil {
		return err
	}
	defer ln.Close()
	stopTraces, err := telemetry.Start(ctx, c.Log.OTLPEndpoint, "partnerops")
	if err != nil {
		return fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: %w", err)
	}
	defer func() { _ = stopTraces(context.Background()) }()

	dbURL, dbDescription := c.Database.URL, "from DATABASE_URL"
	if dbURL == "" {
		db, err := devdb.Find(ctx, c.DataDir)
		if err != nil {
			return err
		}
		defer db.Stop()
		dbURL, dbDescription = db.URL, db.Description
	}
	st, err := store.OpenPool(ctx, dbURL, pool(c.Database))
	if err != nil {
		return fmt.Errorf("database %s (set DATABASE_URL to another): %w", dbDescription, err)
	}
	defer st.Close()
	if err := st.MigrateUp(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}

	history := c.History
	if history.KEK == "" {
		if history.KEK, err = devHistoryKEK(c.DataDir); err != nil {
			return err
		}
	}
	keys, err := historyKeyring(st, history)
	if err != nil {
		return err
	}

	temporalCfg, uiURL := c.Temporal, "(the external server's own UI)"
	if temporalCfg.Address == "" {
		srv, err := devtemporal.Start(devtemporal.Options{
			DataDir: c.DataDir, Namespace: c.Namespace,
			FrontendPort: c.TemporalPort, UIPort: c.UIPort, LogLevel: "error",
			CodecEndpoint: "http://" + c.HTTP.Addr + api.HistoryCodecPath,
		})
		if err != nil {
			return fmt.Errorf("%w (the ports are PARTNEROPS_DEV_TEMPORAL_PORT / --temporal-port and PARTNEROPS_DEV_UI_PORT / --ui-port; 0 picks a free one)", err)
		}
		defer srv.Stop()
		temporalCfg.Address, uiURL = srv.FrontendAddress, srv.UIURL
		if history.CodecOrigin == "" {
			history.CodecOrigin = srv.UIURL
		}
	}
	metrics := prometheus.NewRegistry() // the API's and the SDK's (client and worker) metrics
	tc, err := dialTemporal(ctx, temporalCfg, keys.DataConverter(), logger, metrics)
	if err != nil {
		return err
	}
	defer tc.Close()

	data, err := demo.Ensure(ctx, st, c.DataDir, demoPolicy(c.Policy, loc))
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	printBanner(c, describeDatabase(dbURL)+" ("+dbDescription+")", temporalCfg.Address, uiURL, data)

	// A signal stops the API first; once it has answered what it received,
	// the worker stops after its in-flight tasks; the deferred calls then
	// close the Temporal client and stop the embedded server. A worker
	// that fails stops the API.
	apiCtx, stopAPI := context.WithCancel(ctx)
	workerCtx, stopWorker := context.WithCancel(context.Background())
	var g errgroup.Group
	g.Go(func() error {
		defer stopAPI()
		return runWorker(workerCtx, tc, temporalCfg, workerDeps(st, loc, c.Policy, c.Webhooks), logger)
	})
	g.Go(func() error {
		defer stopWorker()
		return serveAPIOn(apiCtx, ln, c.HTTP, apiDeps(c.Temporal, c.Policy, c.Webhooks, history, keys, st, tc, loc, logger, metrics))
	})
	err = g.Wait()
	logger.Info("partnerops dev stopped")
	return err
}

func printBanner(c *devCmd, db, temporalAddr, uiURL string, data demo.Data) {
	var b strings.Builder
	fmt.Fprintf(&b, "\npartnerops dev is running (Ctrl-C stops it)\n\n")
	fmt.Fprintf(&b, "  API          http://%s   (OpenAPI: http://%s/v1/openapi.json)\n", c.HTTP.Addr, c.HTTP.Addr)
	fmt.Fprintf(&b, "  Console      http://%s/console   (sign in with a token below)\n", c.HTTP.Addr)
	fmt.Fprintf(&b, "  Temporal     %s, namespace %s\n", temporalAddr, c.Namespace)
	fmt.Fprintf(&b, "  Temporal UI  %s\n", uiURL)
	fmt.Fprintf(&b, "  PostgreSQL   %s\n", db)
	fmt.Fprintf(&b, "  Ticket SLA   %s\n\n", c.TicketSLA)
	fmt.Fprintf(&b, "Demo partners and principals; paste these lines into another shell:\n\n")
	writeDemoVariables(&b, "http://"+c.HTTP.Addr, data)
	fmt.Println(b.String())
}

// writeDemoVariables writes the shell lines that name the demo set's
// records and tokens, as the walk-throughs (README, docs/walkthroughs) use them.
func writeDemoVariables(w io.Writer, apiURL string, data demo.Data) {
	fmt.Fprintf(w, "export API=%s\n", apiURL)
	for _, p := range data.Partners {
		fmt.Fprintf(w, "export %s=%s   # partner %s (%s)\n", p.Env, p.ID, p.Name, p.Type)
	}
	for _, id := range data.IDs {
		fmt.Fprintf(w, "export %s=%s   # %s\n", id.Env, id.ID, id.What)
	}
	for _, p := range data.Principals {
		fmt.Fprintf(w, "export %s=%s   # %s (%s)\n", p.Env, p.Token, p.Name, p.Role)
	}
}

// describeDatabase names the server and database of a PostgreSQL URL,
// without its password: "127.0.0.1:5432, database partnerops".
func describeDatabase(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil || u.Host == "" {
		return "a PostgreSQL server"
	}
	return fmt.Sprintf("%s, database %s", u.Host, strings.TrimPrefix(u.Path, "/"))
}

// devHistoryKEK is dev's key-encryption key of the Temporal histories,
// made on first start and kept in the data folder (history-kek) beside the
// histories it protects.
func devHistoryKEK(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "history-kek")
	if raw, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(raw)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	kek := make([]byte, 32)
	_, _ = rand.Read(kek)
	b64 := base64.StdEncoding.EncodeToString(kek)
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", err
	}
	return b64, os.WriteFile(path, []byte(b64+"\n"), 0o600)
}
