package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"partnerops/rules"
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
		Description: "The revenue of one calendar year in the business time zone (PARTNEROPS_TIMEZONE, Asia/Shanghai by default): the sum, " +
			"per currency, of the completed orders placed by the partner's own account and by all customers associated with it (its " +
			"sub-customers). The partner's own members and staff (another partner's members: 404; customers: 403). A missing year, or one " +
			"outside 2000-2100: 422.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, readPartner, s.partnerPerformance)
}

// PartnerPerformance is a partner's annual performance.
type PartnerPerformance struct {
	PartnerID  string        `json:"partner_id"`
	Year       int           `json:"year"`
	Revenue    []rules.Money `json:"revenue" doc:"One sum per currency, by currency; empty when there was none"`
	OrderCount int           `json:"order_count" minimum:"0"`
}

// partnerPerformance serves GET /v1/partners/{id}/performance?year=YYYY:
// the revenue of the year's completed orders of the partner's own account
// and of all its associated sub-customers, per currency.
func (s *Server) partnerPerformance(ctx context.Context, in *performanceInput) (*bodyOf[PartnerPerformance], error) {
	revenue, err := s.store.PartnerRevenue(ctx, in.PartnerID, in.Year, s.location.String())
	if err != nil {
		return nil, err
	}
	v := PartnerPerformance{PartnerID: in.PartnerID, Year: in.Year, Revenue: []rules.Money{}}
	for _, r := range revenue {
		v.Revenue = append(v.Revenue, rules.Money{Amount: r.Amount, Currency: r.Currency})
		v.OrderCount += r.Orders
	}
	return &bodyOf[PartnerPerformance]{Body: v}, nil
}
