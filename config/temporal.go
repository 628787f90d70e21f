package config

import (
	"context"
	"log/slog"
	"partnerops/telemetry"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
)

// Dial connects to the Temporal service. TLS and API-key handling are the
// SDK's own (envconfig), fed from these settings. Every call is traced
// (telemetry) and measured by metrics, when given. Payloads go through dc
// (historykeys' encrypting converter) when given; a command that moves none
// passes nil.
func (t Temporal) Dial(ctx context.Context, dc converter.DataConverter, logger *slog.Logger, metrics client.MetricsHandler) (client.Client, error) {
	profile := envconfig.ClientConfigProfile{Address: t.Address, Namespace: t.Namespace, APIKey: t.APIKey}
	if t.TLS || t.TLSClientCertPath != "" || t.TLSServerCACertPath != "" || t.TLSServerName != "" {
		profile.TLS = &envconfig.ClientConfigTLS{
			ClientCertPath:   t.TLSClientCertPath,
			ClientKeyPath:    t.TLSClientKeyPath,
			ServerCACertPath: t.TLSServerCACertPath,
			ServerName:       t.TLSServerName,
		}
	}
	opts, err := profile.ToClientOptions(envconfig.ToClientOptionsRequest{})
	if err != nil {
		return nil, err
	}
	opts.Logger = log.NewStructuredLogger(logger)
	tracing, err := telemetry.TemporalInterceptor()
	if err != nil {
		return nil, err
	}
	opts.Interceptors = append(opts.Interceptors, tracing)
	opts.MetricsHandler = metrics
	opts.DataConverter = dc
	return client.DialContext(ctx, opts)
}
