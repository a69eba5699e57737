using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using KdDsl.Generators.Diagnostics;
using KdDsl.Generators.Model;
using KdDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace KdDsl.Generators;

/// <summary>
/// Reports every KD diagnostic. It runs the generator's own <see cref="ExperimentParser"/> on each class marked [Distillation],
/// so the two never disagree; the generator only emits. Being an analyzer, its diagnostics reach every host that shows
/// analyzer diagnostics (the compiler, Visual Studio, Rider, csharp-ls and other language servers), and .editorconfig
/// severities and <c>#pragma warning disable</c> apply to them.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DistillationAnalyzer : DiagnosticAnalyzer
{
    private static readonly ImmutableArray<DiagnosticDescriptor> Descriptors = typeof(DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null))
        .OrderBy(d => d.Id, System.StringComparer.Ordinal)
        .ToImmutableArray();

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Descriptors;

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(AttributeNames.Distillation) is null) return;
            start.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        // The declaration the generator parses: the one holding the first [Distillation] (ExperimentParser.Parse ignores the
        // others), and only a type declaration, as the generator's predicate asks; so each problem is reported exactly once.
        if (ExperimentParser.FirstDistillationAttribute(type) is not { } first) return;
        if (first.GetSyntax(context.CancellationToken).Parent?.Parent is not TypeDeclarationSyntax declaration) return;
        var result = ExperimentParser.Parse(context.Compilation, declaration, type, context.CancellationToken);
        foreach (var diagnostic in result.Diagnostics)
            context.ReportDiagnostic(diagnostic.ToDiagnostic(diagnostic.Location is { } location ? Find(context.Compilation, type, location) : null));
    }

    /// <summary>
    /// The source location of <paramref name="location"/> (kept as a path and span): in a syntax tree of the compilation, so
    /// the compiler applies #pragma and per-file .editorconfig settings to it. The type's own files are tried first.
    /// </summary>
    private static Location Find(Compilation compilation, INamedTypeSymbol type, LocationInfo location)
    {
        var tree = type.DeclaringSyntaxReferences.Select(r => r.SyntaxTree).FirstOrDefault(t => Fits(t, location))
                   ?? compilation.SyntaxTrees.FirstOrDefault(t => Fits(t, location));
        return tree is null ? location.ToLocation() : Location.Create(tree, location.Span);
    }

    private static bool Fits(SyntaxTree tree, LocationInfo location) =>
        tree.FilePath == location.FilePath && tree.Length >= location.Span.End;
}
