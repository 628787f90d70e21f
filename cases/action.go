package cases

import "encoding/json"

// ActionRequest is a human step on a case: who takes it and what it carries.
// Input is the action's own JSON body, decoded by the process that owns it.
type ActionRequest struct {
	Actor Actor           `json:"actor"`
	Input json.RawMessage `json:"input,omitempty"`
}

// The reasons a process refuses an action, as Temporal application error
// types; the API maps each to its HTTP status.
const (
	RefusalForbidden = "ActionForbidden"     // the caller's role may never take it
	RefusalConflict  = "ActionNotAllowedNow" // not in the case's current state
	RefusalInvalid   = "ActionInputInvalid"  // the input is wrong; details carry the fields
	RefusalUnknown   = "ActionUnknown"       // the kind has no such action
)
