package agent

// Word lists the rules interviewer reads a story with. Matching is done on
// lowercased text: single words against tokens, phrases as substrings.

// pastActions are irregular past-tense verbs that, right after "I", mean the
// candidate did something. Regular verbs are recognised by their -ed ending.
var pastActions = setOf(
	"began", "bought", "broke", "brought", "built", "came", "caught", "chose", "cut", "did", "drew",
	"drove", "dug", "fought", "found", "gave", "got", "grew", "held", "hid", "kept", "laid", "led",
	"left", "lent", "made", "met", "oversaw", "paid", "put", "ran", "read", "rebuilt", "rewrote",
	"rode", "sat", "saw", "sent", "set", "shut", "sold", "spent", "split", "spoke", "stood", "struck",
	"swept", "taught", "threw", "told", "took", "undertook", "went", "withdrew", "won", "wrote",
	"shipped", "owned", "froze", "flew", "hung", "overcame", "sought", "shook", "spun", "tore",
	"bent", "bound", "fed", "dealt", "rang", "forgave", "wove", "slid",
)

// notActions are -ed words that after "I" describe a state of mind, not a deed.
var notActions = setOf(
	"needed", "wanted", "liked", "loved", "hoped", "believed", "assumed", "used", "seemed",
	"wished", "preferred", "felt", "thought", "guessed", "supposed", "worried", "feared", "hated",
	"enjoyed", "appreciated", "was", "were", "had", "would", "could", "should", "might", "must",
	"expected", "tended", "cared", "knew", "meant", "red",
)

// adverbs may sit between "I" and the verb: "I personally negotiated".
var adverbs = setOf(
	"also", "then", "first", "just", "quickly", "immediately", "eventually", "finally", "even",
	"again", "later", "soon", "personally", "directly", "actually", "myself", "carefully", "initially",
	"ultimately", "next", "once", "still", "proactively", "really",
)

// negations turn the next verb into something the candidate did not do.
var negations = setOf("never", "didn't", "didnt", "not", "don't", "dont", "wasn't", "couldn't", "won't")

var situationCues = []string{
	"i'm a ", "i'm an ", "i am a ", "i am an ", "i was a ", "i was an ", "i was the ", "i was on ",
	"as the ", "as a ", "as an ", "i work on ", "i work at ", "i work in ", "i worked on ", "i worked at ",
	"i manage ", "i managed ", "i lead ", "i run ", "my team", "our team", "my company", "our company",
	"my last ", "my current ", "my previous ", "at my ", "last year", "last spring", "last summer",
	"last fall", "last autumn", "last winter", "last quarter", "last month", "in early ", "in late ",
	"a few years ago", "years ago", "when i joined", "when i was", "our service", "our product",
	"our platform", "our app", "on the ", "responsible for",
}

var taskCues = []string{
	"asked me", "asked us", "asked for", "asked to", "had to", "needed to", "need to", "goal",
	"target", "responsible for", "my job", "my task", "the task", "challenge", "the problem",
	"deadline", "requirement", "mandate", "so that", "in order to", "complaint", "budget", "wanted to",
	"was to ", "were to ", "constraint", "had been", "risk",
}

var resultCues = []string{
	"fell", "dropped", "rose", "increased", "decreased", "reduced", "cut ", "improved", "grew",
	"saved", "doubled", "tripled", "halved", "stayed", "shipped", "launched", "rolled out", "rolled it out",
	"reached", "achieved", "resolved", "fixed", "delivered", "completed", "won ", "went down", "went up",
	"back to", "came down", "declined", "climbed", "eliminated", "prevented", "recovered", "finished",
	"exceeded", "beat ", "lowered", "raised", "as a result", "in the end", "the result", "the outcome",
	"ended up", "by the end", "brought in", "down to", "on time", "ahead of schedule", "under budget",
	"adopted", "approved", "promoted", "retained", "back on track",
}

// futureCues mark a sentence about plans, not outcomes.
var futureCues = []string{
	" will ", "'ll ", "planned", "plan to", "roadmap", "next year", "hope to", "going to ", "nothing yet",
	"not yet", "would ", "could ", "should ", "might ", " to cut", " to reduce", " to improve", " to grow",
	" to increase", " to lower", "didn't", "did not", "never ",
}

var reflectionCues = []string{
	"lesson", "what i learned", "i learned to", "i learned how", "i learned that i", "i've learned",
	"takeaway", "took away", "i'd ", "i would ", "next time", "in hindsight", "looking back",
	"in retrospect", "taught me", "i realized", "if i did it again", "if i were to", "differently",
	"i should have", "my mistake", "i now ", "since then i", "i still ",
}

// noReflectionCues undo a reflection cue: "I wouldn't change anything."
var noReflectionCues = []string{
	"wouldn't change", "would not change", "not sure i'd change", "i'd change nothing",
	"nothing to change", "wouldn't do anything differently", "would do the same",
}

var impactCues = []string{
	"is now", "are now", "now a ", "now the ", "now part", "now in our", "now uses", "now use",
	"now reads", "now runs", "still the default", "still in use", "still used", "still running",
	"still part of", "became a", "became the", "became our", "became standard", "adopted",
	"standard practice", "standard process", "our standard", "the default", "by default", "service template",
	"since then", "ever since", "going forward", "every new", "other teams", "mechanism", "playbook",
	"runbook", "reused", "rolled out to", "no longer", "business line", "institutional", "checklist", "for good",
}

var noImpactCues = []string{"nothing yet", "crept back", "not sure", "no lasting", "same as before"}

var hedgeCues = []string{
	"i think", "i believe", "probably", "maybe", "not sure", "i guess", "kind of", "sort of",
	"a lot", "roughly", "somewhat", "hopefully", "i don't know", "honestly", "i suppose", "more or less",
}

var noMeasureCues = []string{
	"didn't set up any tracking", "didn't measure", "didn't track", "no tracking", "no metrics",
	"no data", "don't have the", "didn't really", "nobody complained", "don't know the number",
	"not sure how many", "didn't have numbers", "didn't have any numbers", "hard to measure",
	"we didn't measure", "no numbers",
}

var blameCues = []string{
	"their fault", "not my fault", "wasn't my fault", "to blame", "blamed", "dropped the ball",
	"messed up", "incompetent", "because of them", "their mistake", "it was on them", "they failed to",
	"threw them under", "useless team", "lazy",
}

// injectionCues are words aimed at an automated grader rather than an
// interviewer. Any of them is a red flag: the candidate tried to game the
// assessment.
var injectionCues = []string{
	"ignore your", "ignore all", "ignore the rubric", "ignore previous", "ignore prior", "ignore any",
	"disregard", "previous instructions", "prior instructions", "system prompt", "you are now",
	"must be scored", "score this", "score me", "rate me", "grade me", "rate this answer", "mark this answer",
	"record a 4", "record a score", "set all scores", "scored 4", "score of 4", "score it 4", "give me a 4",
	"strong_hire", "pre-approved", "preapproved", "evaluation system", "grader:", "to the grader",
	"to the evaluator", "as an ai", "language model", "assistant:", "system:", "<|", "[inst]",
	"override the rubric", "top score", "maximum score", "highest score", "full marks",
}

// principleNames are how candidates name the principles; a story that names
// many of them is reciting, not telling.
var principleNames = []string{
	"customer obsess", "customer-obsess", "ownership", "invent and simplify", "right a lot",
	"learn and be curious", "hire and develop", "highest standards", "think big", "bias for action",
	"frugal", "earn trust", "dive deep", "backbone", "disagree and commit", "deliver results",
	"best employer", "broad responsibility", "leadership principle",
}

var buzzwords = []string{"synerg", "move the needle", "in my dna", "leverage", "best-in-class", "world-class", "game changer", "drive alignment"}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
