using Microsoft.CodeAnalysis;

namespace KdDsl.Generators.Diagnostics;

// The [Sweep] diagnostics, KD0030-KD0039 (configuration sweeps, docs/diagnostics/KD003x.md).
internal static partial class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor UnknownSweepAxis = Error(
        "KD0030", "Unknown sweep axis",
        "'{0}' is not a sweep axis{1}; the axes are: {2}");

    public static readonly DiagnosticDescriptor SweepValueWrongType = Error(
        "KD0031", "Sweep value has the wrong type",
        "Value {0} of the {1} axis is {2}; {1} takes {3}");

    public static readonly DiagnosticDescriptor DuplicateSweepAxis = Error(
        "KD0032", "Sweep axis declared twice",
        "The {0} axis is declared more than once; list all its values in one [Sweep(\"{0}\", ...)]");

    public static readonly DiagnosticDescriptor EmptySweepAxis = Error(
        "KD0033", "Sweep axis has no values",
        "The {0} axis lists no values; give at least one, e.g. [Sweep(\"{0}\", {1})]");

    public static readonly DiagnosticDescriptor RepeatedSweepValue = Error(
        "KD0034", "Sweep value repeated",
        "The {0} axis lists {1} more than once; every trial would be run twice");

    public static readonly DiagnosticDescriptor SweepAxisNotApplicable = Error(
        "KD0035", "Sweep axis does not apply to the experiment",
        "The {0} axis does not apply to experiment '{1}': {2}");

    public static readonly DiagnosticDescriptor SweepValueOutOfRange = Error(
        "KD0036", "Sweep value is out of range",
        "Value {0} of the {1} axis is out of range; it must be {2}");

    public static readonly DiagnosticDescriptor SweepGridSize = new(
        "KD0037", "Sweep grid size",
        "The sweep of '{0}' has {1} trials ({2}); each runs once per data set and seed",
        "KdDsl", DiagnosticSeverity.Info, isEnabledByDefault: true, helpLinkUri: "https://github.com/kddsl/KdDsl/blob/main/docs/diagnostics/KD0037.md");

    public static readonly DiagnosticDescriptor TeacherCheckpointWithSweptSelection = Error(
        "KD0038", "Teacher checkpoint with a swept teacher selection",
        "Checkpoint {0} holds one teacher, but the TeacherSelection axis distils from a different teacher per value; remove Checkpoint " +
        "(a sweep keeps one teacher per data set, seed and selection next to its store)");

    public static readonly DiagnosticDescriptor SweepReplacesDeclaredValue = new(
        "KD0039", "Sweep axis replaces a declared value",
        "The {0} axis replaces the declared {1}; {2}",
        "KdDsl", DiagnosticSeverity.Info, isEnabledByDefault: true, helpLinkUri: "https://github.com/kddsl/KdDsl/blob/main/docs/diagnostics/KD0039.md");
}
