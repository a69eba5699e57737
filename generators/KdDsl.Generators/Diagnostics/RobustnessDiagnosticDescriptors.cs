using Microsoft.CodeAnalysis;

namespace KdDsl.Generators.Diagnostics;

// Declarations C# accepts but the generated code could not take (KD0027-KD0029, KD0040-KD0042): each is reported at the
// offending argument or declaration instead of the generator throwing, emitting code that does not compile, or saying nothing.
internal static partial class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor DuplicateLayerMapPair = Error(
        "KD0027", "Layer pair mapped twice",
        "[LayerMap(\"{0}\", \"{1}\")] is declared more than once; the pair would be matched twice, doubling its share of the HiddenStates term; remove the repeat");

    public static readonly DiagnosticDescriptor NullArgument = Error(
        "KD0028", "Argument is null",
        "{0} is null; {1}");

    public static readonly DiagnosticDescriptor ExperimentCannotHoldGeneratedCode = Error(
        "KD0029", "Experiment class cannot take the generated code",
        "Experiment class '{0}' cannot take the generated code: {1}");

    public static readonly DiagnosticDescriptor SweepGridTooLarge = Error(
        "KD0040", "Sweep grid is too large",
        "The sweep of '{0}' has {1} trials ({2}); at most {3} are supported (the generated Grid holds every trial); drop values from an axis or split the sweep");

    public static readonly DiagnosticDescriptor GeneratedNameCollision = Error(
        "KD0041", "Name collides with the generated code",
        "'{0}' collides with {1} that KdDsl generates in experiment '{2}'; rename it");

    public static readonly DiagnosticDescriptor ModelNotAccessible = Error(
        "KD0042", "Model type is not accessible to the generated code",
        "The {0} type '{1}' {2}; {3}");
}
