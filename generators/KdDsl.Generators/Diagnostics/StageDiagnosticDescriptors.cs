using Microsoft.CodeAnalysis;

namespace KdDsl.Generators.Diagnostics;

// [Stage] (KD0061-KD0064): training in stages, each with its own terms, epochs, learning rate and trained parameters.
internal static partial class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor DuplicateStage = Error(
        "KD0061", "Stage declared twice",
        "[Stage({0})] is declared more than once; give each stage its own number");

    public static readonly DiagnosticDescriptor StageTrainsNothing = Error(
        "KD0062", "Stage trains nothing",
        "Stage {0} trains {1}, so no parameter would change in it; name the parameters it trains (\"blocks.0\"), or remove Trains to train the whole student");

    public static readonly DiagnosticDescriptor UnknownStage = Error(
        "KD0063", "Term names a stage that is not declared",
        "{0} belongs to stage {1}, but {2}; declare [Stage({1})] or change Stage");

    public static readonly DiagnosticDescriptor StageWithoutTerms = Error(
        "KD0064", "Stage has no loss term",
        "Stage {0} has {1}, so it would train on nothing; give a term Stage = {0} (a term without Stage is in every stage) or remove the stage");
}
