package agent

// Analysis is what the rules found in a candidate's story. (Filled in by Analyze.)
type Analysis struct{}
