package model

import "errors"

// errWeightedOff is LBC's error for a forward to several target groups
// while gate WeightedTargetGroups is off.
var errWeightedOff = errors.New("weighted target groups feature is disabled")

// unweighted rewrites fw as LBC writes a forward with gate
// WeightedTargetGroups off: a lone target group becomes a plain forward (no
// weight, no stickiness); several are errWeightedOff.
func unweighted(fw *Forward) error {
	if len(fw.TargetGroups) > 1 {
		return errWeightedOff
	}
	for i := range fw.TargetGroups {
		fw.TargetGroups[i].Weight = nil
	}
	fw.Stickiness = nil
	return nil
}
