using Microsoft.CodeAnalysis;

namespace KdDsl.Generators.Diagnostics;

// The diagnostics of the relational layer-matching distances (SP, RKD, PKT), KD0053-KD0056 (docs/diagnostics/KD005x.md).
// Options that do not apply to them (Normalization, Projection = false, Resize) reuse KD0015.
internal static partial class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor BatchTooSmallForRelations = Error(
        "KD0053", "Batch too small for a relational distance",
        "Train.BatchSize is {0}, but HiddenDistance.{1} compares the samples of a batch with each other and needs at least {2}: {3}; use a larger batch (the default is 64)");
}
