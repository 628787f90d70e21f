package api

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/rules"
	"partnerops/store"
)

// performanceInput asks for one calendar year, bounded by
// rules.MinPerformanceYear and rules.MaxPerformanceYear
// (TestDeclaredBoundsAreTheConstants).
type performanceInput struct {
	PartnerPath
	Year int `query:"year" required:"true" minimum:"2000" maximum:"2100" doc:"The calendar year, in the business time zone" example:"2026"`
}

func (s *Server) performanceRoutes() {
	register(s, huma.Operation{
		OperationID: "getPartnerPerformance", Method: http.MethodGet, Path: "/v1/partners/{partner_id}/performance",
		Tags: []string{"customers"}, Summary: "The partner's annual performance",
		Description: "The revenue of one calendar year in the business time zone (PARTNEROPS_TIMEZONE, Asia/Shanghai by default; the " +
			"answer's from and until bound it), per currency, in its parts: the completed orders of the partner's own account and of the " +
			"customers it held when they were sold (sold through it; vendor-direct sales count for no partner), and the renewal charges " +
			"of the customers it held when they were charged. Each charge stays with the partner that held the customer then: a " +
			"dissociated customer's past revenue is not lost. The partner's own members and staff (another partner's members: 404; " +
			"customers: 403). A missing year, or one outside 2000-2100: 422.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, readPartner, s.partnerPerformance)
}

// PartnerPerformance is a partner's annual performance.
type PartnerPerformance struct {
	PartnerID string        `json:"partner_id"`
	Year      int           `json:"year"`
	TimeZone  string        `json:"time_zone" doc:"The business time zone the year is counted in"`
	From      time.Time     `json:"from" doc:"The year's first instant, in the business time zone"`
	Until     time.Time     `json:"until" doc:"The next year's first instant (excluded), in the business time zone"`
	Revenue   []rules.Money `json:"revenue" doc:"Orders and renewals together: one sum per currency, by currency; empty when there was none"`
	// OrderCount is Orders.Count, as before the parts were named.
	OrderCount       int             `json:"order_count" minimum:"0"`
	Orders           PerformancePart `json:"orders" doc:"Completed orders of the partner's own account and of the customers it held when they were sold"`
	Renewals         PerformancePart `json:"renewals" doc:"Renewal charges of the customers the partner held when they were charged"`
	CustomersCounted int             `json:"customers_counted" minimum:"0" doc:"How many customers' charges count"`
}

// PerformancePart is one part of a performance: its sums and how many charges made them.
type PerformancePart struct {
	Revenue []rules.Money `json:"revenue" doc:"One sum per currency, by currency"`
	Count   int           `json:"count" minimum:"0"`
}

func performancePart(list []store.Revenue) PerformancePart {
	p := PerformancePart{Revenue: []rules.Money{}}
	for _, r := range list {
		p.Revenue = append(p.Revenue, rules.Money{Amount: r.Amount, Currency: r.Currency})
		p.Count += r.Count
	}
	return p
}

// partnerPerformance serves GET /v1/partners/{id}/performance?year=YYYY.
func (s *Server) partnerPerformance(ctx context.Context, in *performanceInput) (*bodyOf[PartnerPerformance], error) {
	perf, err := s.store.PartnerPerformance(ctx, in.PartnerID, in.Year, s.location.String())
	if err != nil {
		return nil, err
	}
	v := PartnerPerformance{
		PartnerID: in.PartnerID, Year: in.Year, TimeZone: s.location.String(),
		From: perf.From.In(s.location), Until: perf.Until.In(s.location),
		Orders: performancePart(perf.Orders), Renewals: performancePart(perf.Renewals), CustomersCounted: perf.Customers,
	}
	v.OrderCount = v.Orders.Count
	total := map[string]int64{}
	for _, m := range slices.Concat(v.Orders.Revenue, v.Renewals.Revenue) {
		total[m.Currency] += m.Amount
	}
	v.Revenue = []rules.Money{}
	for _, currency := range slices.Sorted(maps.Keys(total)) {
		v.Revenue = append(v.Revenue, rules.Money{Amount: total[currency], Currency: currency})
	}
	return &bodyOf[PartnerPerformance]{Body: v}, nil
}
