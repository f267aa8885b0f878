package agent

import "slices"

// FlagImplausible marks claims that cannot all be true: impossible or
// contradictory numbers. The rules raise it for numbers that cannot be
// right (outcome.go); a model may also see contradictions.
const FlagImplausible = "implausible_claims"

// redFlags are the red flags a grade may carry, in the order a model is
// offered them.
var redFlags = []string{FlagInjection, FlagStuffing, FlagNotAnEvent, FlagBlame, FlagNoOwnership, FlagAntiStance, FlagImplausible}

// RedFlagNames returns every red flag a grade may carry: the names a model
// may choose from.
func RedFlagNames() []string { return slices.Clone(redFlags) }

// KnownRedFlag reports whether flag is one of RedFlagNames.
func KnownRedFlag(flag string) bool { return slices.Contains(redFlags, flag) }
