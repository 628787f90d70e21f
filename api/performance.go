package api

import (
	"github.com/gofiber/fiber/v2"

	"partnerops/rules"
)

func (s *Server) performanceRoutes(v1 fiber.Router) {
	v1.Get("/partners/:partner_id/performance", s.partnerPerformance)
}

// performanceView is a partner's annual performance.
type performanceView struct {
	PartnerID  string        `json:"partner_id"`
	Year       int           `json:"year"`
	Revenue    []rules.Money `json:"revenue"`
	OrderCount int           `json:"order_count"`
}

// partnerPerformance serves GET /v1/partners/{id}/performance?year=YYYY:
// the revenue of the year's completed orders of the partner's own account
// and of all its associated sub-customers, per currency.
func (s *Server) partnerPerformance(c *fiber.Ctx) error {
	partnerID, err := s.partnerReadScope(c)
	if err != nil {
		return err
	}
	year, problems := rules.ParsePerformanceYear(c.Query("year"))
	if len(problems) > 0 {
		return invalid(problems)
	}
	revenue, err := s.store.PartnerRevenue(c.UserContext(), partnerID, year, s.location.String())
	if err != nil {
		return err
	}
	v := performanceView{PartnerID: partnerID, Year: year, Revenue: []rules.Money{}}
	for _, r := range revenue {
		v.Revenue = append(v.Revenue, rules.Money{Amount: r.Amount, Currency: r.Currency})
		v.OrderCount += r.Orders
	}
	return c.JSON(v)
}
