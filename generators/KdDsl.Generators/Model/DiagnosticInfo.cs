using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace KdDsl.Generators.Model;

/// <summary>A source position kept as plain values (a <see cref="Location"/> would pin the syntax tree).</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location) =>
        location?.SourceTree is null ? null : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}

/// <summary>
/// A diagnostic kept as plain values (the parse result is cached by the generator) until <see cref="DistillationAnalyzer"/> reports it. <see cref="Fix"/>, when set, is the replacement a code
/// fix offers (e.g. the nearest valid layer path); it travels in the diagnostic's properties under <see cref="FixProperty"/>.
/// </summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> MessageArguments, string? Fix = null)
{
    public const string FixProperty = "KdDsl.Fix";

    /// <summary>The diagnostic at <paramref name="location"/> (<see cref="Location"/> resolved to a syntax tree by the caller).</summary>
    public Diagnostic ToDiagnostic(Microsoft.CodeAnalysis.Location? location) => Fix is null
        ? Diagnostic.Create(Descriptor, location, System.Linq.Enumerable.ToArray<object?>(MessageArguments))
        : Diagnostic.Create(Descriptor, location,
            System.Collections.Immutable.ImmutableDictionary<string, string?>.Empty.Add(FixProperty, Fix),
            System.Linq.Enumerable.ToArray<object?>(MessageArguments));
}
