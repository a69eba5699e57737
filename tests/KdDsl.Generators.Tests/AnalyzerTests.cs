using System;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// <see cref="DistillationAnalyzer"/> reports the KD diagnostics (the generator reports none), so the compiler's own
/// suppression and severity settings apply to them: #pragma, and .editorconfig's dotnet_diagnostic.KDxxxx.severity.
/// </summary>
public sealed class AnalyzerTests
{
    /// <summary>KD0017 (a warning): a teacher no loss term reads.</summary>
    private const string UnusedTeacher = """
        using KdDsl;
        using Sample;

        namespace Experiments;

        [Distillation]
        [Teacher(typeof(BigNet))]
        [Student(typeof(SmallNet))]
        [Loss(LossKind.CrossEntropy)]
        public partial class Exp { }
        """;

    [Fact]
    public void Supports_every_descriptor()
    {
        var type = typeof(DistillationGenerator).Assembly.GetType("KdDsl.Generators.Diagnostics.DiagnosticDescriptors", throwOnError: true)!;
        var descriptors = type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor)).Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id).OrderBy(id => id, StringComparer.Ordinal);
        Assert.Equal(descriptors, new DistillationAnalyzer().SupportedDiagnostics.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal));
        Assert.Contains("KD0001", descriptors);
        Assert.Contains("KD0042", descriptors);
    }

    [Fact]
    public void Reports_the_warning_once_and_the_generator_still_generates()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, UnusedTeacher);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("KD0017", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.True(diagnostic.Location.IsInSource, "An analyzer diagnostic is located in a syntax tree of the compilation.");
        Assert.Single(result.GeneratedSources);
    }

    [Fact]
    public void Pragma_suppresses_a_diagnostic()
    {
        string suppressed = UnusedTeacher.Replace("[Teacher(typeof(BigNet))]", "#pragma warning disable KD0017\n[Teacher(typeof(BigNet))]\n#pragma warning restore KD0017");
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, suppressed);
        Assert.Empty(result.Diagnostics);
        Assert.Single(result.GeneratedSources);
    }

    [Fact]
    public void Editorconfig_severity_raises_a_warning_to_an_error()
    {
        // What the compiler does with an .editorconfig: parse it, and hand each tree's dotnet_diagnostic settings to the
        // compilation through its syntax-tree options provider.
        var config = AnalyzerConfigSet.Create(ImmutableArray.Create(AnalyzerConfig.Parse(
            "root = true\n\n[*.cs]\ndotnet_diagnostic.KD0017.severity = error\n", "/project/.editorconfig")));
        var compilation = GeneratorHarness.Compile()
            .AddSyntaxTrees(
                CSharpSyntaxTree.ParseText(GeneratorHarness.Models, GeneratorHarness.ParseOptions, path: "/project/Models.cs"),
                CSharpSyntaxTree.ParseText(UnusedTeacher, GeneratorHarness.ParseOptions, path: "/project/Exp.cs"));
        compilation = compilation.WithOptions(compilation.Options.WithSyntaxTreeOptionsProvider(new EditorconfigOptions(config)));

        var diagnostic = Assert.Single(GeneratorHarness.AnalyzerDiagnostics(compilation));
        Assert.Equal("KD0017", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.DefaultSeverity);
    }

    [Fact]
    public void Distillation_on_two_partial_parts_is_diagnosed_once()
    {
        string source = UnusedTeacher.Replace("public partial class Exp { }", "public partial class Exp { }\n[Distillation] public partial class Exp { }");
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        Assert.Equal(new[] { "KD0017" }, result.Diagnostics.Select(d => d.Id));
    }

    /// <summary>The per-tree severities of an <see cref="AnalyzerConfigSet"/>, as the compiler's own provider reads them.</summary>
    private sealed class EditorconfigOptions(AnalyzerConfigSet config) : SyntaxTreeOptionsProvider
    {
        public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) => GeneratedKind.Unknown;

        public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            config.GetOptionsForSourcePath(tree.FilePath).TreeOptions.TryGetValue(diagnosticId, out severity);

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            config.GlobalConfigOptions.TreeOptions.TryGetValue(diagnosticId, out severity);
    }
}
