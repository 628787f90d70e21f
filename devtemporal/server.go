// Package devtemporal embeds a real Temporal server (and its Web UI) in the
// partnerops process for `partnerops dev`: SQLite in a file, so cases
// survive a restart, with the namespace and the case search attributes
// registered at start.
package devtemporal

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"

	"partnerops/workflows"
)

const host = "127.0.0.1"

// Options configure the embedded server.
type Options struct {
	DataDir      string // the SQLite file lives here
	Namespace    string
	FrontendPort int // 0 picks a free port
	UIPort       int // 0 picks a free port
	LogLevel     string
	// CodecEndpoint is the codec server the UI decodes payloads with
	// (partnerops' /codec, behind staff auth: the browser sends the
	// console's session cookie).
	CodecEndpoint string
}

// Server is a running embedded Temporal server and Web UI.
type Server struct {
	server          temporal.Server
	ui              *uiserver.Server
	FrontendAddress string // host:port for SDK clients
	UIURL           string
}

// Start starts the server and the UI, creating the SQLite schema and the
// namespace on first use.
func Start(opts Options) (*Server, error) {
	frontendPort, err := portOrFree(opts.FrontendPort)
	if err != nil {
		return nil, fmt.Errorf("temporal frontend port %d: %w", opts.FrontendPort, err)
	}
	uiPort, err := portOrFree(opts.UIPort)
	if err != nil {
		return nil, fmt.Errorf("temporal UI port %d: %w", opts.UIPort, err)
	}
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, err
	}
	sqlConfig := &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      filepath.Join(opts.DataDir, "temporal.sqlite"),
		ConnectAttributes: map[string]string{"mode": "rwc", "_journal_mode": "wal", "_synchronous": "normal"},
	}
	if _, err := os.Stat(sqlConfig.DatabaseName); errors.Is(err, os.ErrNotExist) {
		if err := sqliteschema.SetupSchema(sqlConfig); err != nil {
			return nil, fmt.Errorf("create Temporal schema: %w", err)
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig("active", opts.Namespace, false, workflows.SearchAttributes())
	if err != nil {
		return nil, err
	}
	if err := sqliteschema.CreateNamespaces(sqlConfig, ns); err != nil {
		return nil, fmt.Errorf("create namespace %s: %w", opts.Namespace, err)
	}

	frontend := net.JoinHostPort(host, strconv.Itoa(frontendPort))
	cfg, err := serverConfig(sqlConfig, frontendPort)
	if err != nil {
		return nil, err
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(staticHosts(cfg)),
		temporal.WithLogger(log.NewZapLogger(log.BuildZapLogger(log.Config{Level: opts.LogLevel, Stdout: true}))),
		temporal.WithDynamicConfigClient(dynamicconfig.StaticClient{
			// Visibility right after an upsert: the dev UI and list queries see new cases at once.
			dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("create Temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start Temporal server: %w", err)
	}
	s := &Server{server: srv, FrontendAddress: frontend}

	s.ui = uiserver.NewServer(uiserveroptions.WithConfigProvider(&uiconfig.Config{
		Host: host, Port: uiPort, TemporalGRPCAddress: frontend, EnableUI: true,
		DefaultNamespace: opts.Namespace, DisableNewsFetch: true, HideLogs: true,
		CORS:  uiconfig.CORS{CookieInsecure: true},
		Codec: uiconfig.Codec{Endpoint: opts.CodecEndpoint, IncludeCredentials: true},
	}))
	go func() { _ = s.ui.Start() }()
	s.UIURL = fmt.Sprintf("http://%s:%d", host, uiPort)
	return s, nil
}

// Stop stops the UI and the server.
func (s *Server) Stop() {
	s.ui.Stop()
	_ = s.server.Stop()
}

func serverConfig(sqlConfig *config.SQL, frontendPort int) (*config.Config, error) {
	cfg := &config.Config{}
	cfg.Global.Membership = config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: host}
	cfg.Persistence = config.Persistence{
		DefaultStore: "sqlite", VisibilityStore: "sqlite", NumHistoryShards: 1,
		DataStores: map[string]config.DataStore{"sqlite": {SQL: sqlConfig}},
	}
	cfg.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10, MasterClusterName: "active", CurrentClusterName: "active",
		ClusterInformation: map[string]cluster.ClusterInformation{"active": {
			Enabled: true, InitialFailoverVersion: 1, RPCAddress: net.JoinHostPort(host, strconv.Itoa(frontendPort)),
		}},
	}
	cfg.DCRedirectionPolicy.Policy = "noop"
	cfg.Services = map[string]config.Service{}
	for _, name := range []string{"frontend", "history", "matching", "worker"} {
		grpcPort := frontendPort
		if name != "frontend" {
			p, err := portOrFree(0)
			if err != nil {
				return nil, err
			}
			grpcPort = p
		}
		membershipPort, err := portOrFree(0)
		if err != nil {
			return nil, err
		}
		cfg.Services[name] = config.Service{RPC: config.RPC{GRPCPort: grpcPort, MembershipPort: membershipPort, BindOnIP: host}}
	}
	cfg.Archival.History.State = "disabled"
	cfg.Archival.Visibility.State = "disabled"
	cfg.NamespaceDefaults.Archival.History.State = "disabled"
	cfg.NamespaceDefaults.Archival.Visibility.State = "disabled"
	cfg.PublicClient.HostPort = net.JoinHostPort(host, strconv.Itoa(frontendPort))
	return cfg, nil
}

// staticHosts names each service's one local host. A single process needs
// no membership gossip, and a static ring cannot keep the previous run's
// hosts after a restart (which answers "Not enough hosts" for a while).
func staticHosts(cfg *config.Config) map[primitives.ServiceName]static.Hosts {
	hosts := map[primitives.ServiceName]static.Hosts{}
	for name, svc := range cfg.Services {
		hosts[primitives.ServiceName(name)] = static.SingleLocalHost(net.JoinHostPort(host, strconv.Itoa(svc.RPC.GRPCPort)))
	}
	return hosts
}

// portOrFree checks that port can be listened on, or picks a free one for 0.
func portOrFree(port int) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
