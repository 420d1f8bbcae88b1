package account

// Action is something a member may be allowed to do.
type Action string

const (
	PlaceRead    Action = "place.read"
	PlaceWrite   Action = "place.write"
	UsersManage  Action = "users.manage"  // add users, change roles, disable, issue reset links
	OrgManage    Action = "org.manage"    // change the organisation's settings, create organisations
	TokensManage Action = "tokens.manage" // see and revoke every token of the organisation
	AuditRead    Action = "audit.read"    // browse the audit log
	PlanManage   Action = "plan.manage"   // set how often each type of place is to be visited
)

// policy is the one table that decides which role may take which action.
// Every route names its action; a route without one is refused. A test
// walks every route with every role and compares the outcome with this.
var policy = map[Action][]Role{
	PlaceRead:    Roles,
	PlaceWrite:   {Admin, Coordinator, Monitor},
	UsersManage:  {Admin},
	OrgManage:    {Admin},
	TokensManage: {Admin},
	AuditRead:    {Admin},
	PlanManage:   {Admin, Coordinator},
}

// Actions lists every action of the policy.
func Actions() []Action {
	out := make([]Action, 0, len(policy))
	for a := range policy {
		out = append(out, a)
	}
	return out
}

// writes lists the actions that change records: a read-scoped token may not take them.
var writes = map[Action]bool{PlaceWrite: true, UsersManage: true, OrgManage: true, TokensManage: true, PlanManage: true}

// Writes reports whether a changes records.
func (a Action) Writes() bool { return writes[a] }

// Can reports whether m may take action a.
func (m Member) Can(a Action) bool {
	if writes[a] && m.Scope == ScopeRead {
		return false
	}
	for _, r := range policy[a] {
		if r == m.Role {
			return true
		}
	}
	return false
}
