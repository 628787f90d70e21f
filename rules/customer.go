package rules

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// AssociationMode is how a customer is associated with its partner (at most
// one partner per customer).
type AssociationMode string

// The association modes, with the vendor API's association types 1 and 2.
const (
	// Consultative (顾问销售类): the customer buys and pays itself; the partner advises.
	Consultative AssociationMode = "consultative"
	// Resale (代售类): the partner resells; the customer's money runs through the partner.
	Resale AssociationMode = "resale"
)

// AssociationModes returns every mode, in the order the API documents them.
func AssociationModes() []AssociationMode { return []AssociationMode{Consultative, Resale} }

// Valid reports whether m is one of AssociationModes.
func (m AssociationMode) Valid() bool { return m == Consultative || m == Resale }

// AccountOrigin says where the cloud account a customer is bound to comes
// from.
type AccountOrigin string

// The origins of a bound cloud account.
const (
	NewAccount      AccountOrigin = "new"      // created for the customer at binding; the vendor assigns its ID
	ExistingAccount AccountOrigin = "existing" // one the customer already had; the binding names its ID
)

// AccountOrigins returns every origin, in the order the API documents them.
func AccountOrigins() []AccountOrigin { return []AccountOrigin{NewAccount, ExistingAccount} }

// Valid reports whether o is one of AccountOrigins.
func (o AccountOrigin) Valid() bool { return o == NewAccount || o == ExistingAccount }

// Length limits of a customer binding, in characters (runes).
const (
	MaxCustomerNameLength   = 200
	MaxXAccountTypeLength   = 64
	MaxXAccountIDLength     = 64
	MaxCloudAccountIDLength = 64
)

// CloudAccount is the cloud account a customer is bound to.
type CloudAccount struct {
	Origin         AccountOrigin `json:"origin"`
	CloudAccountID string        `json:"cloud_account_id,omitempty"` // existing accounts only
}

// CustomerBinding is how a partner binds a customer of its own sales
// platform to a cloud account: who the customer is on the platform
// (xaccount_type, the platform identifier the vendor issued to the partner,
// and xaccount_id), its enterprise certificate, how it is associated with
// the partner, and which cloud account it gets.
type CustomerBinding struct {
	Name              string           `json:"name"`
	XAccountType      string           `json:"xaccount_type"`
	XAccountID        string           `json:"xaccount_id"`
	CertificateNumber string           `json:"certificate_number"`
	CertificateType   *CertificateType `json:"certificate_type,omitempty"` // optional (the seed: 否); pointer: 0 is a valid type, nil means not given
	AssociationMode   AssociationMode  `json:"association_mode"`
	Account           *CloudAccount    `json:"account"`
	// Message is the partner's word to the owner of an existing account,
	// shown with its association request (optional; existing accounts only).
	Message string `json:"message,omitempty"`
}

// Normalized trims the surrounding spaces of every string and upper-cases
// the certificate number. Pointers are copied, so the result shares no
// memory with b.
func (b CustomerBinding) Normalized() CustomerBinding {
	n := CustomerBinding{
		Name:              strings.TrimSpace(b.Name),
		XAccountType:      strings.TrimSpace(b.XAccountType),
		XAccountID:        strings.TrimSpace(b.XAccountID),
		CertificateNumber: strings.ToUpper(strings.TrimSpace(b.CertificateNumber)),
		AssociationMode:   AssociationMode(strings.TrimSpace(string(b.AssociationMode))),
		Message:           strings.TrimSpace(b.Message),
	}
	if b.CertificateType != nil {
		t := *b.CertificateType
		n.CertificateType = &t
	}
	if b.Account != nil {
		n.Account = &CloudAccount{
			Origin:         AccountOrigin(strings.TrimSpace(string(b.Account.Origin))),
			CloudAccountID: strings.TrimSpace(b.Account.CloudAccountID),
		}
	}
	return n
}

// Validate names every bad field at once (name, xaccount_type, xaccount_id,
// certificate_type, certificate_number, association_mode, account,
// account.origin, account.cloud_account_id), at most one problem per field.
// issuedXAccountType is the platform identifier issued to the partner at
// its access configuration, which xaccount_type must equal; "" skips that
// comparison (the caller refuses a partner without a configuration before).
// The certificate must be an enterprise one (individuals are not bound this
// way); its type is optional, and checked (with the number's form for it)
// when given. An existing account names its cloud_account_id; a new one must not,
// the vendor creates it. It judges b.Normalized(); store that form.
func (b CustomerBinding) Validate(issuedXAccountType string) FieldErrors {
	b = b.Normalized()
	var errs FieldErrors

	checkText(&errs, "name", b.Name, MaxCustomerNameLength)

	switch {
	case b.XAccountType == "":
		errs.add("xaccount_type", "is required: the platform identifier issued to your partner at its access configuration")
	case utf8.RuneCountInString(b.XAccountType) > MaxXAccountTypeLength:
		errs.add("xaccount_type", fmt.Sprintf("must be at most %d characters", MaxXAccountTypeLength))
	case issuedXAccountType != "" && b.XAccountType != issuedXAccountType:
		errs.add("xaccount_type", fmt.Sprintf(
			"must be the platform identifier issued to your partner at its access configuration, %q", issuedXAccountType))
	}

	checkText(&errs, "xaccount_id", b.XAccountID, MaxXAccountIDLength)

	checkCertificate(&errs, b.CertificateType, b.CertificateNumber,
		"an enterprise certificate type, one of "+validCertificateTypesText(), false)

	switch {
	case b.AssociationMode == "":
		errs.add("association_mode", "is required; must be one of "+joinCustomerWords(AssociationModes()))
	case !b.AssociationMode.Valid():
		errs.add("association_mode", "must be one of "+joinCustomerWords(AssociationModes()))
	}

	switch {
	case b.Account == nil:
		errs.add("account", `is required: {"origin": "new"} or {"origin": "existing", "cloud_account_id": "..."}`)
	case b.Account.Origin == "":
		errs.add("account.origin", "is required; must be one of "+joinCustomerWords(AccountOrigins()))
	case !b.Account.Origin.Valid():
		errs.add("account.origin", "must be one of "+joinCustomerWords(AccountOrigins()))
	case b.Account.Origin == ExistingAccount:
		checkText(&errs, "account.cloud_account_id", b.Account.CloudAccountID, MaxCloudAccountIDLength)
	case b.Account.Origin == NewAccount && b.Account.CloudAccountID != "":
		errs.add("account.cloud_account_id", "must be left out for a new account: the vendor creates the account and its ID")
	}
	switch {
	case b.Message == "":
	case b.Account != nil && b.Account.Origin == NewAccount:
		errs.add("message", "must be left out for a new account: a message goes to the owner of an existing account with its association request")
	case utf8.RuneCountInString(b.Message) > MaxAssociationMessageLength:
		errs.add("message", fmt.Sprintf("must be at most %d characters", MaxAssociationMessageLength))
	case TextProblem(b.Message, true) != "":
		errs.add("message", TextProblem(b.Message, true))
	}
	return errs
}

// MaxAssociationMessageLength bounds the partner's message with an
// association request, in characters.
const MaxAssociationMessageLength = 1000

// AssociationGrants is what the owner of an account grants a partner by
// accepting its association in mode m: what the partner may then do.
func AssociationGrants(m AssociationMode) []string {
	grants := []string{
		"see your account, your orders, your resources and your contracts",
		"set and cancel auto-renewal of your resources, and renew them",
		"count your orders in its annual performance",
	}
	if m == Resale {
		grants = append(grants,
			"allocate money to your account and reclaim it",
			"apply for your online contracts on your behalf",
			"be asked by you to pay your orders",
		)
	}
	return grants
}

func joinCustomerWords[T ~string](values []T) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = string(v)
	}
	return strings.Join(parts, ", ")
}
