package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// Custom search attributes every case workflow keeps current, so cases can
// be found in the Temporal UI and with ListWorkflow queries.
var (
	SearchAttributeKind        = temporal.NewSearchAttributeKeyKeyword("PartnerOpsKind")
	SearchAttributePartner     = temporal.NewSearchAttributeKeyKeyword("PartnerOpsPartnerId")
	SearchAttributeStatus      = temporal.NewSearchAttributeKeyKeyword("PartnerOpsStatus")
	SearchAttributeSLADueAt    = temporal.NewSearchAttributeKeyTime("PartnerOpsSlaDueAt")
	SearchAttributeSLABreached = temporal.NewSearchAttributeKeyBool("PartnerOpsSlaBreached")
)

// SearchAttributes is what a namespace must have registered before case
// workflows run.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		SearchAttributeKind.GetName():        enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchAttributePartner.GetName():     enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchAttributeStatus.GetName():      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SearchAttributeSLADueAt.GetName():    enumspb.INDEXED_VALUE_TYPE_DATETIME,
		SearchAttributeSLABreached.GetName(): enumspb.INDEXED_VALUE_TYPE_BOOL,
	}
}
