package workflows

// Every list a case keeps in its state is bounded: the state is carried
// into each transition (and each continue-as-new), so a list that grows
// with every action would grow every transition with it. A list keeps its
// newest MaxListed entries and counts the older ones it let go ("N more").

// MaxListed is how many entries a list in a case's state keeps.
const MaxListed = 20

// appendBounded appends v to list and keeps the newest MaxListed entries,
// adding the ones it drops to *earlier.
func appendBounded[T any](list []T, v T, earlier *int) []T {
	list = append(list, v)
	if over := len(list) - MaxListed; over > 0 {
		*earlier += over
		list = append([]T(nil), list[over:]...)
	}
	return list
}
