using KdDsl.Generators.Emitting;
using KdDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace KdDsl.Generators;

/// <summary>
/// The incremental pipeline: classes marked [Distillation] → <see cref="ExperimentParser"/> (value-equal spec + diagnostics)
/// → <see cref="ExperimentEmitter"/>. Only a changed experiment is re-emitted. An experiment with an error has no spec and
/// emits nothing; the generator reports no diagnostic itself: <see cref="DistillationAnalyzer"/> runs the same parser and
/// reports them, so IDEs and language servers that show only analyzer diagnostics show them too, and each is reported once.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DistillationGenerator : IIncrementalGenerator
{
    /// <summary>Tracking name of the parse step, for incrementality tests.</summary>
    public const string ParseStep = "KdDslExperiments";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var experiments = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeNames.Distillation,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: ExperimentParser.Parse)
            .WithTrackingName(ParseStep);

        context.RegisterSourceOutput(experiments, static (output, result) =>
        {
            if (result.Spec is { } spec)
                output.AddSource(spec.HintName, SourceText.From(ExperimentEmitter.Emit(spec), System.Text.Encoding.UTF8));
        });
    }
}
