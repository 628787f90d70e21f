package rules

// SelfRegistration is a partner registering itself (POST
// /v1/partner-registrations): its company name, its type and the person the
// vendor talks to. A solution provider starts at the entry level; every
// partner starts uncertified.
type SelfRegistration struct {
	Name    string
	Type    PartnerType
	Contact Contact
}

// Normalized trims the surrounding spaces of every field.
func (r SelfRegistration) Normalized() SelfRegistration {
	r.Name = r.Partner().Name
	r.Contact = r.Contact.Normalized()
	return r
}

// Partner is the partner it registers: a solution provider at the entry level.
func (r SelfRegistration) Partner() NewPartner {
	p := NewPartner{Name: r.Name, Type: r.Type}.Normalized()
	if p.Type.HasLevels() {
		p.Level = EntryLevel
	}
	return p
}

// Validate names every bad field at once (name, type, contact.name,
// contact.phone, contact.email). It judges r.Normalized().
func (r SelfRegistration) Validate() FieldErrors {
	r = r.Normalized()
	errs := r.Partner().Validate()
	r.Contact.check(&errs, "contact.")
	return errs
}
