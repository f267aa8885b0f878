package retrieval

import "strconv"

// conceptGroups gather words that mean nearly the same thing in stories told
// at work. The local embedder adds a shared feature for every word of a
// group, which gives it a little of the generalisation a trained model has.
var conceptGroups = [][]string{
	{"outage", "incident", "downtime", "sev", "sev1", "sev2", "pager", "paged", "page", "on-call", "oncall", "breakage", "broke", "broken", "crash", "crashed", "failure", "fire", "firefight"},
	{"postmortem", "post-mortem", "retro", "retrospective", "root", "rca", "cause", "investigate", "investigation", "troubleshoot", "debug", "diagnose"},
	{"customer", "client", "user", "buyer", "shopper", "patient", "seller", "merchant", "subscriber", "consumer", "end-user", "member", "guest"},
	{"complaint", "complain", "feedback", "ticket", "review", "survey", "nps", "escalation", "churn", "frustrated", "unhappy", "pain"},
	{"cost", "budget", "spend", "expense", "savings", "save", "cheap", "cheaper", "money", "dollar", "bill", "invoice", "price", "frugal", "lean", "thrifty", "constraint", "headcount"},
	{"simplify", "simple", "simpler", "streamline", "automate", "automation", "reinvent", "invent", "invention", "novel", "new", "innovative", "innovation", "creative", "idea", "prototype", "patent"},
	{"deadline", "launch", "ship", "shipped", "deliver", "delivery", "milestone", "date", "schedule", "on-time", "release", "rollout", "deploy"},
	{"metric", "data", "number", "measure", "dashboard", "kpi", "analytics", "percent", "percentage", "rate", "statistics", "query", "sql", "log", "logs", "trace", "traces", "anomaly", "spreadsheet"},
	{"disagree", "disagreement", "pushback", "push", "challenge", "challenged", "argue", "argument", "conflict", "objection", "oppose", "opposed", "contrary", "unpopular", "dissent", "overrule", "overruled"},
	{"commit", "committed", "decision", "decided", "align", "aligned", "support", "backed"},
	{"trust", "honest", "honesty", "transparent", "transparency", "candid", "credibility", "integrity", "admit", "admitted", "apologize", "mistake", "error", "wrong", "vulnerable", "relationship", "respect"},
	{"hire", "hiring", "recruit", "recruiting", "interview", "candidate", "headcount", "onboard", "onboarding", "talent"},
	{"mentor", "mentoring", "coach", "coaching", "develop", "grow", "growth", "promotion", "promote", "career", "feedback", "junior", "intern", "teach", "train", "training", "stretch"},
	{"underperform", "underperformer", "underperforming", "struggle", "struggling", "performance", "pip", "low", "poor"},
	{"quality", "standard", "bar", "excellence", "defect", "bug", "bugs", "regression", "polish", "review", "rigor", "rigorous", "testing", "test", "flawless"},
	{"vision", "ambitious", "ambition", "bold", "moonshot", "long-term", "strategy", "strategic", "transform", "transformation", "roadmap", "multi-year", "10x", "platform"},
	{"fast", "quick", "quickly", "speed", "urgent", "urgency", "immediately", "act", "acted", "decisive", "reversible", "risk", "calculated", "incomplete", "uncertainty", "ambiguity", "ambiguous"},
	{"learn", "curious", "curiosity", "explore", "read", "course", "study", "self-taught", "unfamiliar", "teach", "myself", "skill", "domain", "question"},
	{"judgment", "judgement", "instinct", "intuition", "decide", "choice", "tradeoff", "trade-off", "bet", "predict", "prediction", "correct", "seek", "perspective", "bias"},
	{"detail", "details", "weeds", "granular", "deep", "dig", "drill", "audit", "inspect", "verify", "skeptical", "discrepancy", "mismatch", "inconsistent"},
	{"result", "outcome", "goal", "target", "achieve", "achieved", "exceed", "exceeded", "obstacle", "setback", "despite", "blocker", "blocked"},
	{"employee", "wellbeing", "well-being", "morale", "burnout", "burned", "inclusive", "inclusion", "diverse", "diversity", "safe", "safety", "belonging", "engagement", "workload", "attrition", "retention", "quit"},
	{"community", "environment", "environmental", "sustainability", "carbon", "emissions", "energy", "waste", "society", "social", "accessibility", "accessible", "privacy", "ethical", "ethics", "responsible", "harm", "impact", "security", "compliance", "regulation", "legal"},
	{"owner", "ownership", "own", "accountable", "accountability", "responsibility", "stepped", "volunteer", "volunteered", "initiative", "nobody", "orphan", "abandoned", "gap", "inherited", "took"},
	{"another", "other", "different", "neighbor", "partner", "external", "cross-team", "dependency", "dependencies", "vendor", "supplier"},
	{"stakeholder", "executive", "leadership", "vp", "director", "manager", "boss", "leader", "senior"},
	{"scale", "scaling", "million", "millions", "global", "worldwide", "company-wide", "org-wide", "broad"},
	{"legacy", "technical", "tech", "debt", "refactor", "rewrite", "migration", "migrate", "architecture", "system", "service", "infrastructure"},
	{"latency", "slow", "slowness", "performance", "throughput", "p99", "timeout", "bottleneck", "load"},
	{"fail", "failed", "failure", "lesson", "learned", "flop", "mistake", "wrong", "missed"},
	{"experiment", "a/b", "ab", "pilot", "trial", "hypothesis", "test"},
	{"people", "person", "report", "reports", "direct", "colleague", "peer", "teammate", "staff", "engineer", "engineers"},
	{"promise", "commitment", "expectation", "expectations", "overpromise", "reset", "slip", "slipped", "delay", "delayed", "late"},
	{"resourceful", "resources", "scrappy", "workaround", "reuse", "reused", "existing", "limited", "without"},
	{"conscience", "values", "right", "wrong", "unethical", "pressure", "principle"},
	{"feedback", "criticism", "critique", "negative", "hard", "difficult", "conversation", "candor"},
}

var conceptIndex map[string][]string

func init() {
	conceptIndex = map[string][]string{}
	for i, g := range conceptGroups {
		name := "g" + strconv.Itoa(i)
		for _, w := range g {
			s := stem(w)
			conceptIndex[s] = append(conceptIndex[s], name)
		}
	}
}

func conceptsOf(stem string) []string { return conceptIndex[stem] }
