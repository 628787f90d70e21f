package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultRetentionDays is how long a yearly/monthly resource is retained
// after it expires unless configured otherwise: auto-renewal retries a
// group short of funds daily until the last day of its retention, and
// releases it after.
const DefaultRetentionDays = 15

// Retention is the retention period after expiry, per resource type.
// The zero value retains every type DefaultRetentionDays.
type Retention struct {
	Default int                  // days; 0 is DefaultRetentionDays
	ByType  map[ResourceType]int // days, overriding Default
}

// Days is how many days a resource of type t is retained after it expires.
func (r Retention) Days(t ResourceType) int {
	if d, ok := r.ByType[t]; ok {
		return d
	}
	if r.Default == 0 {
		return DefaultRetentionDays
	}
	return r.Default
}

// Period is Days(t) as a duration.
func (r Retention) Period(t ResourceType) time.Duration {
	return time.Duration(r.Days(t)) * 24 * time.Hour
}

// Longest is the longest retention of any type.
func (r Retention) Longest() time.Duration {
	longest := time.Duration(0)
	for _, t := range ResourceTypes() {
		longest = max(longest, r.Period(ResourceType(t)))
	}
	return longest
}

// ParseRetention reads a retention setting: the days of every type,
// optionally followed by per-type days, e.g. "15" or "15,eip=7,ecs=30".
// Days are whole numbers from 0 to 365.
func ParseRetention(s string) (Retention, error) {
	parts := strings.Split(strings.TrimSpace(s), ",")
	days := func(v string) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > 365 {
			return 0, fmt.Errorf("retention %q: days must be a whole number from 0 to 365, not %q", s, v)
		}
		return n, nil
	}
	var r Retention
	var err error
	if r.Default, err = days(parts[0]); err != nil {
		return Retention{}, err
	}
	if r.Default == 0 {
		return Retention{}, fmt.Errorf("retention %q: the days of every type must be at least 1", s)
	}
	for _, p := range parts[1:] {
		typ, v, ok := strings.Cut(p, "=")
		typ = strings.TrimSpace(typ)
		if !ok || !slices.Contains(ResourceTypes(), typ) {
			return Retention{}, fmt.Errorf("retention %q: %q is not type=days with a type of %v", s, p, ResourceTypes())
		}
		n, err := days(v)
		if err != nil {
			return Retention{}, err
		}
		if r.ByType == nil {
			r.ByType = map[ResourceType]int{}
		}
		r.ByType[ResourceType(typ)] = n
	}
	return r, nil
}

// Columns are the retention as two parallel lists, every type's days, for
// a query.
func (r Retention) Columns() (types []string, days []int64) {
	for _, t := range ResourceTypes() {
		types, days = append(types, t), append(days, int64(r.Days(ResourceType(t))))
	}
	return types, days
}
