package account

// Action is something a member may be allowed to do.
type Action string

const (
	PlaceRead  Action = "place.read"
	PlaceWrite Action = "place.write"
)

// policy is the one table that decides which role may take which action.
// Every route names its action; a route without one is refused.
var policy = map[Action][]Role{
	PlaceRead:  Roles,
	PlaceWrite: {Admin, Coordinator, Monitor},
}

// writes lists the actions that change records: a read-scoped token may not take them.
var writes = map[Action]bool{PlaceWrite: true}

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
