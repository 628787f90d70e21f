package rules

import (
	"testing"
	"time"
)

func TestRetention(t *testing.T) {
	var zero Retention
	if zero.Days(ResourceECS) != 15 || zero.Longest() != 15*24*time.Hour {
		t.Errorf("the default retention: %d days, longest %s", zero.Days(ResourceECS), zero.Longest())
	}
	r, err := ParseRetention("15, eip=7, ecs=30")
	if err != nil || r.Days(ResourceEIP) != 7 || r.Days(ResourceECS) != 30 || r.Days(ResourceEVS) != 15 || r.Longest() != 30*24*time.Hour {
		t.Errorf("parsed %+v, %v", r, err)
	}
	for _, bad := range []string{"", "0", "x", "15,rds=3", "15,ecs", "15,ecs=400", "-1"} {
		if _, err := ParseRetention(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
