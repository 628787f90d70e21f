package cases

// Role sets shared by the workflows' action tables and the API's access policy.
var (
	StaffRoles   = []string{RoleOps, RoleSupervisor}
	PartnerRoles = []string{RoleAdmin, RoleMember}
)
