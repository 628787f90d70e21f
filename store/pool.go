package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
)

// ErrPoolTooLarge is a pool larger than the PostgreSQL server lets one
// client open: past the limit, a burst would fail with "too many
// connections" instead of waiting for a connection of its own pool.
var ErrPoolTooLarge = errors.New("connection pool larger than the PostgreSQL server allows")

// checkPool refuses a pool of maxOpen connections when the server's
// max_connections, less those it reserves for superusers (and, from
// PostgreSQL 16, for roles with pg_use_reserved_connections), or the role's
// or the database's own connection limit, is smaller.
func checkPool(ctx context.Context, db *sqlx.DB, maxOpen int) error {
	var limit struct {
		Server   int `db:"server"`
		Reserved int `db:"reserved"`
		Role     int `db:"role"`
		Database int `db:"database"`
	}
	err := db.GetContext(ctx, &limit, `
		SELECT current_setting('max_connections')::int AS server,
		       current_setting('superuser_reserved_connections')::int
		         + coalesce(current_setting('reserved_connections', true)::int, 0) AS reserved,
		       (SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user) AS role,
		       (SELECT datconnlimit FROM pg_database WHERE datname = current_database()) AS database`)
	if err != nil {
		return fmt.Errorf("read PostgreSQL's connection limits: %w", err)
	}
	allowed, by := limit.Server-limit.Reserved, fmt.Sprintf("max_connections %d less %d reserved", limit.Server, limit.Reserved)
	if limit.Role >= 0 && limit.Role < allowed {
		allowed, by = limit.Role, fmt.Sprintf("the role's CONNECTION LIMIT %d", limit.Role)
	}
	if limit.Database >= 0 && limit.Database < allowed {
		allowed, by = limit.Database, fmt.Sprintf("the database's CONNECTION LIMIT %d", limit.Database)
	}
	if maxOpen > allowed {
		return fmt.Errorf("%w: PARTNEROPS_DB_MAX_CONNS is %d, the server allows %d (%s); lower it or raise the limit", ErrPoolTooLarge, maxOpen, allowed, by)
	}
	return nil
}

// PoolCollector is the pool's state as Prometheus gauges: the connections
// open (in use and idle), the most it may open, and how often and how long
// work waited for one (partnerops_db_*).
func (s *Store) PoolCollector() prometheus.Collector {
	return poolCollector{s}
}

type poolCollector struct{ s *Store }

var (
	poolOpenDesc = prometheus.NewDesc("partnerops_db_connections", "PostgreSQL connections this process holds open, by state.", []string{"state"}, nil)
	poolMaxDesc  = prometheus.NewDesc("partnerops_db_max_connections", "The most PostgreSQL connections this process opens (PARTNEROPS_DB_MAX_CONNS).", nil, nil)
	poolWaitDesc = prometheus.NewDesc("partnerops_db_waits_total", "Times work waited for a free connection of the pool.", nil, nil)
	poolWaitSecs = prometheus.NewDesc("partnerops_db_wait_seconds_total", "Time work spent waiting for a free connection of the pool.", nil, nil)
)

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolOpenDesc
	ch <- poolMaxDesc
	ch <- poolWaitDesc
	ch <- poolWaitSecs
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.db.Stats()
	ch <- prometheus.MustNewConstMetric(poolOpenDesc, prometheus.GaugeValue, float64(st.InUse), "in_use")
	ch <- prometheus.MustNewConstMetric(poolOpenDesc, prometheus.GaugeValue, float64(st.Idle), "idle")
	ch <- prometheus.MustNewConstMetric(poolMaxDesc, prometheus.GaugeValue, float64(st.MaxOpenConnections))
	ch <- prometheus.MustNewConstMetric(poolWaitDesc, prometheus.CounterValue, float64(st.WaitCount))
	ch <- prometheus.MustNewConstMetric(poolWaitSecs, prometheus.CounterValue, st.WaitDuration.Seconds())
}
