// Package eval reads BRAT standoff gold annotations (MACCROBAT, E3C) and
// scores clinex findings against them.
//
// # Reading gold
//
// LoadDir reads every NAME.txt that has a NAME.ann beside it; Parse reads one
// pair. All offsets count Unicode code points (not bytes) into the .txt text,
// which is kept byte for byte (E3C texts contain CR characters that count).
//
//   - T lines are entities; a discontinuous span "10 14;20 25" keeps every
//     fragment, and the entity overlaps a span if any fragment does.
//   - E lines are events; an event id stands for its trigger entity wherever
//     it is used (relation arguments, attribute targets, event arguments).
//   - R lines are binary relations; Arg1/Arg2 are resolved to entity ids.
//   - A (and M) lines are attributes, stored per entity as name → value; a
//     binary attribute without value is stored as "true".
//   - "#" notes and "N" normalizations are ignored; "*" equivalences are kept.
//
// Malformed lines (bad offsets, unknown ids, text that disagrees with the
// document) are skipped or kept as described on Parse, each with a warning.
// The reader never panics on bad input.
//
// # Scoring (see Score)
//
// For each TypeSpec the gold set is the entities of the Gold types, filtered
// by GoldDigit and GoldAttr; the counted predictions are the findings whose
// Category and Concept pass the filters; a prediction's span is its value span
// (ValueStart..ValueEnd, the default, falling back to Start..End when the value
// span is empty) or its evidence span (Span: "evidence").
//
//   - Overlap match: gold is found when some counted prediction's span shares
//     at least one code point with any gold fragment.
//   - Exact match: the prediction span equals the gold span (for a
//     discontinuous gold entity: from its first to its last code point) once
//     both are trimmed of surrounding whitespace, a leading "(" and trailing
//     ".,;:)".
//   - Recall = gold found / gold total.
//     Precision = matched predictions / (counted predictions − ignored).
//     A prediction is ignored when it overlaps no gold of the type but does
//     overlap a gold entity of one of the Ignore types; ignored predictions
//     are neither TP nor FP. Both figures are given for overlap and exact.
//   - Check "age" / "sex": value accuracy ("recall with right value") = gold
//     spans with at least one overlapping counted prediction whose value is
//     right / gold total. See goldAge and goldSex for how gold values are read.
//   - Pairs: every gold relation of the listed types whose resolved Arg1 is
//     of a Value type with a digit in its text and whose resolved Arg2 is of a
//     Target type (any when empty) is a pair. It is scored when some counted
//     prediction's value span overlaps Arg1, and correct when one of those
//     predictions' evidence span (Start..End) also overlaps Arg2.
//     Accuracy = correct / scored; coverage = scored / total.
//
// All output (text report, JSONL errors) is deterministic: documents sorted by
// id, gold and predictions sorted by offset, maps printed in key order.
package eval
